"""What the tests share and is not a fake (those are in tests/fakes): waiting on a condition
(`wait`), a free port (`ports`), one harness per platform built by the real composition root
(`telegram`, `slack`, and `slack_oauth` for an OAuth-distributed Slack app), `briefing-bot` as
real subprocesses (`processes`, `replicas`), the store contract's backends (`stores`), the
delivery engine's bench (`delivery`), the seed's text (`seed`) and the CLI (`cli`). Nothing here
is collected as a test."""
