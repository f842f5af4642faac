"""The delivery history (`DeliveryHistory`, table `delivery_history`: one row per (issue,
destination), the parts' times as jsonb) and who turned the run reports off (`ReportChoices`,
table `report_choices`) on PostgreSQL. The merge of an attempt into the row kept is the one
both backends share (`bot/store/history.py`), done in the transaction that writes it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from psycopg.types.json import Jsonb

from bot.core.runs import Attempt
from bot.store.common import utcnow
from bot.store.history import from_doc, merge, to_doc
from bot.store.postgres.pool import Pool

KEPT = """SELECT record FROM delivery_history WHERE destination = %s AND issue = ANY(%s)"""
LOCKED = """SELECT record FROM delivery_history WHERE destination = ANY(%s) AND issue = ANY(%s)
    FOR UPDATE"""
SAVE = """INSERT INTO delivery_history (issue, destination, record) VALUES (%s, %s, %s)
    ON CONFLICT (issue, destination) DO UPDATE SET record = EXCLUDED.record"""
REPORTS_OFF = """INSERT INTO report_choices (who, since) VALUES (%s, %s)
    ON CONFLICT (who) DO NOTHING RETURNING 1"""
REPORTS_ON = "DELETE FROM report_choices WHERE who = %s RETURNING 1"


class PgHistory:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def record(self, attempts: Sequence[Attempt]) -> None:
        if not attempts:
            return
        merged: dict[tuple[int, str], Attempt] = {}
        async with self.pool.connection() as conn, conn.transaction():
            destinations = sorted({a.destination for a in attempts})
            issues = sorted({a.issue for a in attempts})
            for (record,) in await (await conn.execute(LOCKED, (destinations, issues))).fetchall():
                old = from_doc(record)
                merged[(old.issue, old.destination)] = old
            for attempt in attempts:
                key = (attempt.issue, attempt.destination)
                merged[key] = merge(merged.get(key), attempt)
            rows = [(*key, Jsonb(to_doc(merged[key]))) for key in
                    dict.fromkeys((a.issue, a.destination) for a in attempts)]  # fmt: skip
            async with conn.cursor() as cursor:
                await cursor.executemany(SAVE, rows)

    async def recent(self, destination: str, issues: Collection[int]) -> dict[int, Attempt]:
        rows: list[tuple[Any, ...]] = await self.pool.query(KEPT, (destination, list(issues)))
        return {attempt.issue: attempt for attempt in (from_doc(row[0]) for row in rows)}


class PgReportChoices:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def set_reports(self, who: str, on: bool) -> bool:
        if on:
            return bool(await self.pool.query(REPORTS_ON, (who,)))
        return bool(await self.pool.query(REPORTS_OFF, (who, utcnow())))

    async def reports_off(self) -> set[str]:
        return {str(row[0]) for row in await self.pool.query("SELECT who FROM report_choices")}
