"""The `FeedbackStore` port on the tinydb backend: tables "votes" ("3|slack:U1": the vote),
"reactions" ("3|<section>|<who>|<emoji>": a count) and "messages" ("slack:C1:1700.1": what a
delivered message carried). Each change is one commit of the journal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from bot.core.feedback import Carried, IssueFeedback, Outcome, Vote, top_sections
from bot.core.model.messages import MessageRef
from bot.store.tinydb.snapshot import Store

VOTES, REACTIONS, MESSAGES = "votes", "reactions", "messages"


class Feedback:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.votes = store.table(VOTES)
        self.reactions = store.table(REACTIONS)
        self.messages = store.table(MESSAGES)

    async def vote(self, issue: int, reader: str, vote: Vote) -> Outcome:
        key = f"{issue}|{reader}"
        before = self.votes.get(key)
        outcome: Outcome
        if before is not None and before["vote"] == vote:
            self.votes.delete(key)
            outcome = "withdrawn"
        else:
            self.votes.put(key, {"issue": issue, "reader": reader, "vote": vote})
            outcome = "recorded" if before is None else "changed"
        await self.store.commit()
        return outcome

    async def react(
        self, where: Carried, who: str, reactions: Mapping[str, int], *, replace: bool
    ) -> None:
        for section in where.sections or ("",):
            prefix = f"{where.issue}|{section}|{who}|"
            if replace:
                for doc in [d for d in self.reactions if d["key"].startswith(prefix)]:
                    self.reactions.delete(doc["key"])
            for emoji, count in reactions.items():
                if count > 0:
                    self.reactions.put(prefix + emoji, {"issue": where.issue, "section": section,
                                                        "who": who, "reaction": emoji,
                                                        "count": count})  # fmt: skip
                else:
                    self.reactions.delete(prefix + emoji)
        await self.store.commit()

    async def remember(self, issue: int, messages: Sequence[tuple[MessageRef, Carried]]) -> None:
        for ref, carried in messages:
            self.messages.put(
                f"{ref.platform}:{ref.chat}:{ref.id}",
                {"platform": ref.platform, "chat": ref.chat, "id": ref.id,
                 "issue": carried.issue, "sections": list(carried.sections)},
            )  # fmt: skip
        await self.store.commit()

    async def find(self, platform: str, chat: str, message: str) -> Carried | None:
        doc = self.messages.get(f"{platform}:{chat}:{message}")
        return None if doc is None else Carried(doc["issue"], tuple(doc["sections"]))

    async def totals(self, issues: Sequence[int]) -> list[IssueFeedback]:
        wanted = set(issues)
        votes: Counter[tuple[int, str]] = Counter(
            (d["issue"], d["vote"]) for d in self.votes if d["issue"] in wanted
        )
        sections: dict[int, Counter[str]] = {n: Counter() for n in wanted}
        for doc in self.reactions:
            if doc["issue"] in wanted:
                sections[doc["issue"]][doc["section"]] += doc["count"]
        return [
            IssueFeedback(n, votes[n, "up"], votes[n, "down"], top_sections(sections[n]))
            for n in issues
        ]
