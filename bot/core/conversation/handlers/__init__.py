"""The command handlers, a module per concern: `(Context, <parsed command>) -> Reply`; the table
in `bot/core/conversation/commands.py` names which answers what."""
