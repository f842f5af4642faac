"""The Slack adapter: `platform` (lifecycle, build), `inbound` (events → commands), `render`
(blocks), `send` (Web API calls, error translation), `http` (the events endpoint), `home` (App
Home), `limits` (Slack's rate limits). Nothing is imported here, so `limits` loads no SDK."""
