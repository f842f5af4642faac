"""The feedback store's contract, on both backends (the `reopen` fixture): votes recorded,
changed and withdrawn; reactions per section set and taken back; what a delivered message
carried; only totals come out, and all of it survives a reopen."""

from __future__ import annotations

from bot.core.feedback import Carried, IssueFeedback
from bot.core.model.messages import MessageRef
from tests.support.stores import Opener


async def test_a_vote_is_recorded_changed_and_withdrawn(reopen: Opener) -> None:
    feedback = reopen().feedback
    assert await feedback.vote(3, "slack:U1", "up") == "recorded"
    assert await feedback.vote(3, "telegram:42", "up") == "recorded"
    assert await feedback.vote(3, "slack:U1", "down") == "changed"
    assert await feedback.totals([3]) == [IssueFeedback(3, up=1, down=1)]
    assert await feedback.vote(3, "slack:U1", "down") == "withdrawn"
    assert await reopen().feedback.totals([3, 4]) == [IssueFeedback(3, 1, 0), IssueFeedback(4)]


async def test_one_vote_per_reader_per_issue(reopen: Opener) -> None:
    feedback = reopen().feedback
    for _ in range(2):
        await feedback.vote(1, "slack:U1", "up")
        await feedback.vote(1, "slack:U1", "up")
    await feedback.vote(2, "slack:U1", "up")
    assert await feedback.totals([1, 2]) == [IssueFeedback(1), IssueFeedback(2, up=1)]


async def test_reactions_count_per_section_and_are_taken_back(reopen: Opener) -> None:
    feedback = reopen().feedback
    packed = Carried(5, ("논문", "레딧"))
    await feedback.react(packed, "slack:U1", {"tada": 1}, replace=False)
    await feedback.react(Carried(5, ("레딧",)), "slack:U2", {"eyes": 1}, replace=False)
    await feedback.react(Carried(5, ("뉴스",)), "slack:U2", {"eyes": 1}, replace=False)
    await feedback.react(Carried(5, ("뉴스",)), "slack:U2", {"eyes": 1}, replace=False)  # again
    await feedback.react(Carried(5), "slack:U3", {"heart": 1}, replace=False)  # the parent
    [five] = await feedback.totals([5])
    assert five.top == (("레딧", 2), ("논문", 1), ("뉴스", 1))
    await feedback.react(packed, "slack:U1", {"tada": 0}, replace=False)
    [five] = await reopen().feedback.totals([5])
    assert five.top == (("뉴스", 1), ("레딧", 1))


async def test_a_whole_list_replaces_the_previous_one(reopen: Opener) -> None:
    feedback = reopen().feedback
    where = Carried(2, ("뉴스",))
    await feedback.react(where, "count:-100:9", {"👍": 4, "🔥": 2}, replace=True)
    await feedback.react(where, "count:-100:9", {"👍": 5}, replace=True)
    assert (await feedback.totals([2]))[0].top == (("뉴스", 5),)


async def test_what_a_delivered_message_carried(reopen: Opener) -> None:
    feedback = reopen().feedback
    parent, reply = MessageRef("slack", "C1", "1.1"), MessageRef("slack", "C1", "1.2", "1.1")
    await feedback.remember(7, [(parent, Carried(7)), (reply, Carried(7, ("논문", "뉴스")))])
    again = reopen().feedback
    assert await again.find("slack", "C1", "1.2") == Carried(7, ("논문", "뉴스"))
    assert await again.find("slack", "C1", "1.1") == Carried(7)
    assert await again.find("slack", "C2", "1.2") is None
    assert await again.find("telegram", "C1", "1.1") is None
