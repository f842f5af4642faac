"""Errors the core understands; adapters translate SDK errors into these, once, at the boundary.

PlatformError                 anything a chat platform said no to
 ├── RecipientGone            blocked, kicked, deleted, archived, not a member: stop sending there
 ├── RateLimited              429 / flood control: wait `retry_after` seconds for that chat, retry
 ├── TransientError           timeouts, resets, 5xx, malformed replies: retry with backoff
 ├── MessageRejected          the platform refused this message (markup, size): log it, move on
 └── MessageGone              a sent message can no longer be edited or deleted: count it, move on

StoreUnreachable              the store's database cannot be reached just now (a lost connection):
                              a command answers "briefly unavailable"; deliveries pause
"""

from __future__ import annotations


class PlatformError(Exception):
    def __init__(self, message: str, *, chat: str = "") -> None:
        super().__init__(message)
        self.chat = chat


class RecipientGone(PlatformError):
    pass


class RateLimited(PlatformError):
    def __init__(self, message: str, *, retry_after: float, chat: str = "") -> None:
        super().__init__(message, chat=chat)
        self.retry_after = retry_after


class TransientError(PlatformError):
    pass


class MessageRejected(PlatformError):
    pass


class StoreUnreachable(Exception):
    """The store cannot be reached right now; it may be again in a moment."""


class MessageGone(PlatformError):
    """A message sent earlier can no longer be edited or deleted (the reader deleted it, it is
    too old, the bot may not touch it): a correction counts it and never tries it again."""
