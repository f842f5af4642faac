"""The Telegram adapter: `platform` (lifecycle, build), `inbound` (updates → commands), `render`
(HTML), `send` (Bot API calls, error translation), `http` (the webhook endpoint), `limits`
(Telegram's rate limits). Nothing is imported here, so `limits` loads no SDK."""
