"""The editors' tools: a new issue scaffolded (`briefing-bot new`), text imported into the
content format."""
