"""The loop pacer hands out turns a few per event-loop iteration, in order."""

from __future__ import annotations

import asyncio

from custom_components.home_miner_manager.pacer import LoopPacer


async def test_turns_are_spread_over_iterations() -> None:
    pacer = LoopPacer(2)
    iteration = 0
    turns: list[tuple[int, int]] = []

    async def count_iterations() -> None:
        nonlocal iteration
        while True:
            await asyncio.sleep(0)
            iteration += 1

    async def waiter(number: int) -> None:
        await pacer.wait_turn()
        turns.append((number, iteration))

    counter = asyncio.create_task(count_iterations())
    await asyncio.gather(*(waiter(n) for n in range(6)))
    counter.cancel()
    assert [number for number, _ in turns] == list(range(6))  # arrival order
    per_iteration: dict[int, int] = {}
    for _, at in turns:
        per_iteration[at] = per_iteration.get(at, 0) + 1
    assert max(per_iteration.values()) == 2
    assert len(per_iteration) == 3


async def test_cancelled_waiter_is_skipped() -> None:
    pacer = LoopPacer(1)

    async def wait() -> None:
        await pacer.wait_turn()

    first = asyncio.create_task(wait())
    second = asyncio.create_task(wait())
    third = asyncio.create_task(wait())
    await asyncio.sleep(0)  # all three are waiting
    first.cancel()
    await asyncio.sleep(0)  # the cancellation reaches the waiting future
    assert first.cancelled()
    # The first release skips the cancelled waiter: the second goes at once,
    # the third one iteration later.
    await asyncio.sleep(0)
    assert second.done()
    assert not third.done()
    await third
