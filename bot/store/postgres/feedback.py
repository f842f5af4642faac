"""The `FeedbackStore` port on PostgreSQL: tables `feedback_votes`, `feedback_reactions` and
`feedback_messages` (their schema step in `schema.py`). A vote is one statement (its outcome
read from the row before and after); a reaction's change one transaction; totals one query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from bot.core.feedback import Carried, IssueFeedback, Outcome, Vote, top_sections
from bot.core.model.messages import MessageRef
from bot.store.group_commit import GroupCommit

if TYPE_CHECKING:
    from bot.store.postgres.pool import Pool

# one statement: the vote before (NULL: none), and whether a vote is left after
VOTE = """WITH before AS (SELECT vote FROM feedback_votes WHERE issue = %(issue)s
        AND reader = %(reader)s FOR UPDATE),
    gone AS (DELETE FROM feedback_votes WHERE issue = %(issue)s AND reader = %(reader)s
        AND vote = %(vote)s RETURNING 1),
    saved AS (INSERT INTO feedback_votes (issue, reader, vote)
        SELECT %(issue)s, %(reader)s, %(vote)s WHERE NOT EXISTS (SELECT 1 FROM gone)
        ON CONFLICT (issue, reader) DO UPDATE SET vote = EXCLUDED.vote RETURNING 1)
    SELECT (SELECT vote FROM before), EXISTS (SELECT 1 FROM gone)"""
CLEAR = "DELETE FROM feedback_reactions WHERE issue = %s AND section = %s AND who = %s"
SET = """INSERT INTO feedback_reactions (issue, section, who, reaction, count)
    VALUES (%s, %s, %s, %s, %s)
    ON CONFLICT (issue, section, who, reaction) DO UPDATE SET count = EXCLUDED.count"""
UNSET = """DELETE FROM feedback_reactions
    WHERE issue = %s AND section = %s AND who = %s AND reaction = %s"""
REMEMBER = """INSERT INTO feedback_messages (platform, chat, message_id, issue, sections)
    VALUES (%s, %s, %s, %s, %s) ON CONFLICT (platform, chat, message_id) DO UPDATE
    SET issue = EXCLUDED.issue, sections = EXCLUDED.sections"""
FIND = """SELECT issue, sections FROM feedback_messages
    WHERE platform = %s AND chat = %s AND message_id = %s"""
VOTES = """SELECT issue, count(*) FILTER (WHERE vote = 'up'), count(*) FILTER (WHERE vote = 'down')
    FROM feedback_votes WHERE issue = ANY(%s) GROUP BY issue"""
SECTIONS = """SELECT issue, section, sum(count) FROM feedback_reactions
    WHERE issue = ANY(%s) GROUP BY issue, section"""


class PgFeedback:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self._remembered: list[tuple[str, str, str, int, list[str]]] = []
        self._remember = GroupCommit(self._write_remembered)

    async def vote(self, issue: int, reader: str, vote: Vote) -> Outcome:
        rows = await self.pool.query(VOTE, {"issue": issue, "reader": reader, "vote": vote})
        before, withdrawn = rows[0]
        return "withdrawn" if withdrawn else "recorded" if before is None else "changed"

    async def react(
        self, where: Carried, who: str, reactions: Mapping[str, int], *, replace: bool
    ) -> None:
        async with self.pool.connection() as conn, conn.transaction():
            for section in where.sections or ("",):
                if replace:
                    await conn.execute(CLEAR, (where.issue, section, who))
                for emoji, count in reactions.items():
                    if count > 0:
                        await conn.execute(SET, (where.issue, section, who, emoji, count))
                    elif not replace:
                        await conn.execute(UNSET, (where.issue, section, who, emoji))

    async def remember(self, issue: int, messages: Sequence[tuple[MessageRef, Carried]]) -> None:
        """Every delivered thread's messages: the threads that end together are written in
        one batch (`group_commit.py`), not a pooled connection and a round trip each."""
        self._remembered += [
            (ref.platform, ref.chat, ref.id, c.issue, list(c.sections)) for ref, c in messages
        ]
        await self._remember()

    async def _write_remembered(self) -> None:
        rows, self._remembered = self._remembered, []
        if rows:  # a failed batch is not written again: those messages' reactions go uncounted
            async with self.pool.connection() as conn, conn.cursor() as cursor:
                await cursor.executemany(REMEMBER, rows)

    async def find(self, platform: str, chat: str, message: str) -> Carried | None:
        rows = await self.pool.query(FIND, (platform, chat, message))
        return Carried(rows[0][0], tuple(rows[0][1])) if rows else None

    async def totals(self, issues: Sequence[int]) -> list[IssueFeedback]:
        wanted = list(issues)
        votes = {n: (up, down) for n, up, down in await self.pool.query(VOTES, (wanted,))}
        sections: dict[int, dict[str, int]] = {n: {} for n in wanted}
        for n, section, total in await self.pool.query(SECTIONS, (wanted,)):
            sections[n][section] = int(total)
        return [
            IssueFeedback(n, *votes.get(n, (0, 0)), top=top_sections(sections[n])) for n in wanted
        ]
