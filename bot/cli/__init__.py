"""`briefing-bot`: the command line (`main.py`), `preview`, and the log redaction (`logsafe`)."""

from bot.cli.main import main

__all__ = ["main"]
