"""The delivery history (`DeliveryHistory`, table `delivery_history`: one row per (issue,
destination), the parts' times as jsonb) and who turned the run reports off (`ReportChoices`,
table `report_choices`) on PostgreSQL. The merge of an attempt into the row kept is the one
both backends share (`bot/store/history.py`), done in the transaction that writes it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from psycopg.types.json import Jsonb

from bot.core.ports import Attempt
from bot.store.common import utcnow
from bot.store.history import from_doc, merge, to_doc
from bot.store.postgres.pool import Pool

KEPT = """SELECT record FROM delivery_history WHERE destination = %s AND issue = ANY(%s)"""
LOCKED = """SELECT record FROM delivery_history WHERE issue = %s AND destination = %s
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
        async with self.pool.connection() as conn, conn.transaction():
            for attempt in attempts:
                key = (attempt.issue, attempt.destination)
                row = await (await conn.execute(LOCKED, key)).fetchone()
                kept = merge(from_doc(row[0]) if row else None, attempt)
                await conn.execute(SAVE, (*key, Jsonb(to_doc(kept))))

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
