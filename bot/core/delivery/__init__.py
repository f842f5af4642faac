"""Delivery: when (cron, timetable, scheduler), what (plan), sending it (engine), retries, the
hand-over to the leader."""
