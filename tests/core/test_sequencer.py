"""The sequencer serves a gate in update order, whatever order the updates reach it in."""

import asyncio

from core.sequencer import UpdateSequencer


async def test_gate_is_served_in_update_order_even_when_reached_in_reverse():
    seq = UpdateSequencer(max_wait=5)
    served: list[int] = []

    async def update(update_id: int, delay: float) -> None:
        seq.enter(update_id)
        await asyncio.sleep(delay)  # e.g. the context query: later updates get here sooner
        async with seq.ordered(update_id, "seat"):
            served.append(update_id)
            await asyncio.sleep(0)
        await seq.leave(update_id)

    await asyncio.gather(*(update(i, 0.05 * (10 - i)) for i in range(1, 10)))
    assert served == list(range(1, 10))


async def test_other_gates_and_finished_updates_do_not_block():
    seq = UpdateSequencer(max_wait=5)
    seq.enter(1)  # an earlier update that is busy at another gate
    seq.enter(2)
    async with seq.ordered(1, "other"):
        async with asyncio.timeout(1):
            async with seq.ordered(2, "seat"):
                pass


async def test_a_stuck_earlier_update_delays_at_most_max_wait():
    seq = UpdateSequencer(max_wait=0.2)
    seq.enter(1)  # never finishes
    seq.enter(2)
    async with asyncio.timeout(2):
        async with seq.ordered(2, "seat"):
            pass
