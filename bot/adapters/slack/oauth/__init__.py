"""Slack distribution (`[slack] install = "oauth"`): bolt's OAuth flow (flow.py), the
installations on the store (installations.py), each chat's workspace and token (workspaces.py),
the listeners that feed them (distribution.py), the config's channels placed (pinned.py)."""
