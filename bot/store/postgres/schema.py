"""The PostgreSQL schema, created and upgraded by the bot itself.

`MIGRATIONS[n - 1]` takes the schema from version n - 1 to n; table `schema_version` holds the
version a database is at. Opening a database applies the missing steps in one transaction,
under a transaction-scoped advisory lock so that two replicas starting together migrate once.
A database at a newer version than this bot knows was upgraded by a newer bot: this one
refuses to start (`SchemaTooNew`, naming both versions) rather than misread it.
"""

from __future__ import annotations

import psycopg

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE subscriptions (
            platform text NOT NULL, user_id text NOT NULL, chat text NOT NULL,
            since timestamptz, PRIMARY KEY (platform, user_id))""",
        """CREATE TABLE releases (issue integer PRIMARY KEY, released_at timestamptz NOT NULL)""",
        """CREATE TABLE delivery_parts (
            issue integer NOT NULL, destination text NOT NULL, part integer NOT NULL,
            state text NOT NULL CHECK (state IN ('pending', 'sent')),
            platform text, chat text, message_id text, thread text,
            PRIMARY KEY (issue, destination, part))""",
        """CREATE TABLE deliveries_done (
            issue integer NOT NULL, destination text NOT NULL, parts integer NOT NULL,
            parent text, done_at timestamptz NOT NULL, PRIMARY KEY (issue, destination))""",
        """CREATE TABLE schedule_runs (name text PRIMARY KEY, due timestamptz NOT NULL)""",
    ),
    (  # inbound claims and /post requests, for several replicas (replicas.py)
        """CREATE TABLE inbound_claims (
            key text PRIMARY KEY, claimed_at timestamptz NOT NULL DEFAULT now())""",
        "CREATE INDEX inbound_claims_claimed_at ON inbound_claims (claimed_at)",
        """CREATE TABLE post_requests (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, issue integer,
            requested_at timestamptz NOT NULL DEFAULT now())""",
    ),
    (  # opted-in channels (bot/store/postgres/destinations.py) and every destination's settings
        """CREATE TABLE channels (
            platform text NOT NULL, chat text NOT NULL, opted_by text NOT NULL,
            since timestamptz NOT NULL, PRIMARY KEY (platform, chat))""",
        """CREATE TABLE destination_settings (
            destination text PRIMARY KEY, time text, zone text, language text)""",
    ),
    (  # Slack installations (OAuth distribution) and the workspace of each Slack chat
        """CREATE TABLE slack_installations (
            workspace text PRIMARY KEY, record jsonb NOT NULL, saved_at timestamptz NOT NULL)""",
        """CREATE TABLE slack_chats (chat text PRIMARY KEY, workspace text NOT NULL)""",
        """CREATE INDEX slack_chats_workspace ON slack_chats (workspace)""",
        """CREATE TABLE slack_oauth_states (
            state text PRIMARY KEY, expires_at double precision NOT NULL)""",
    ),
    # who asked for a queued /post, so the leader can tell them how the delivery went
    ("ALTER TABLE post_requests ADD COLUMN requested_by text",),
    (  # readers' feedback (feedback.py): votes, reactions per section, what each message carried
        """CREATE TABLE feedback_votes (
            issue integer NOT NULL, reader text NOT NULL,
            vote text NOT NULL CHECK (vote IN ('up', 'down')), PRIMARY KEY (issue, reader))""",
        """CREATE TABLE feedback_reactions (
            issue integer NOT NULL, section text NOT NULL, who text NOT NULL,
            reaction text NOT NULL, count integer NOT NULL CHECK (count > 0),
            PRIMARY KEY (issue, section, who, reaction))""",
        """CREATE TABLE feedback_messages (
            platform text NOT NULL, chat text NOT NULL, message_id text NOT NULL,
            issue integer NOT NULL, sections text[] NOT NULL,
            PRIMARY KEY (platform, chat, message_id))""",
    ),
    (  # each destination's attempts at each issue (history.py) and who turned reports off
        """CREATE TABLE delivery_history (
            issue integer NOT NULL, destination text NOT NULL, record jsonb NOT NULL,
            PRIMARY KEY (destination, issue))""",
        """CREATE TABLE report_choices (who text PRIMARY KEY, since timestamptz NOT NULL)""",
    ),
    (  # approval before release (bot/store/postgres/approvals.py) and the editors' notices
        """CREATE TABLE approvals (
            issue integer PRIMARY KEY, approved_by text NOT NULL,
            approved_at timestamptz NOT NULL, digest text NOT NULL)""",
        """CREATE TABLE editor_notices (
            key text PRIMARY KEY, noticed_at timestamptz NOT NULL DEFAULT now())""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
MIGRATION_LOCK = 0x6E62_5343  # pg_advisory_xact_lock key: "nbSC"


class SchemaTooNew(Exception):
    def __init__(self, found: int, known: int) -> None:
        self.found, self.known = found, known
        super().__init__(
            f"the database's schema is version {found}, newer than this bot's {known}: "
            "upgrade the bot (or point it at another database)"
        )


def schema_version(conn: psycopg.Connection[tuple[int]]) -> int:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return row[0] if row and row[0] is not None else 0


def migrate(conn: psycopg.Connection[tuple[int]], known: int = SCHEMA_VERSION) -> int:
    """Bring the schema to version `known`; the version it was at before."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        found = schema_version(conn)
        if found > known:
            raise SchemaTooNew(found, known)
        for steps in MIGRATIONS[found:known]:
            for statement in steps:
                conn.execute(statement)
        if found < known:
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (known,))
    return found
