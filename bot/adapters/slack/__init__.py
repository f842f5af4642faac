"""The Slack adapter: `descriptor` (what the composition root reads), `settings` (`[slack]`,
its secrets), `platform` (lifecycle, build), `inbound` (events → commands), `render` (blocks),
`send` (Web API calls, error translation), `http` (the events endpoint), `home` (App Home),
`limits` (Slack's rate limits). Nothing is imported here, so `descriptor`, `settings` and
`limits` load no SDK."""
