"""The console platform, the embedded default: `descriptor` (what the composition root reads),
`settings` (`[console]`), `platform` (prints what is sent, reads commands from stdin)."""
