"""The Telegram adapter: `descriptor` (what the composition root reads), `settings`
(`[telegram]`, its secrets), `platform` (lifecycle, build), `inbound` (updates → commands),
`render` (HTML), `send` (Bot API calls, error translation), `http` (the webhook endpoint),
`limits` (Telegram's rate limits). Nothing is imported here, so `descriptor`, `settings` and
`limits` load no SDK."""
