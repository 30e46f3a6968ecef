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


async def _taps(seq: UpdateSequencer, ids, key, process, delay=lambda i: 0.0, results=None):
    """Updates that each submit their id as the item; returns {update id: result or exception}."""
    results = {} if results is None else results

    async def update(update_id: int) -> None:
        seq.enter(update_id)
        await asyncio.sleep(delay(update_id))
        try:
            results[update_id] = await seq.batched(update_id, key, update_id, process)
        except Exception as exc:
            results[update_id] = exc
        finally:
            await seq.leave(update_id)

    await asyncio.gather(*(update(i) for i in ids))
    return results


async def test_a_burst_at_one_gate_is_decided_in_batches_in_update_order():
    seq = UpdateSequencer(max_wait=5)
    batches: list[list[int]] = []

    async def process(items):
        batches.append(list(items))
        await asyncio.sleep(0.01)  # the transaction: meanwhile the rest of the burst queues up
        return [f"seat for {i}" for i in items]

    # Later updates reach the gate first (their earlier awaits were quicker).
    results = await _taps(seq, range(1, 41), "seat", process, delay=lambda i: 0.002 * (40 - i))
    assert [i for batch in batches for i in batch] == list(range(1, 41))
    assert len(batches) < 40 and max(len(b) for b in batches) > 1
    assert results == {i: f"seat for {i}" for i in range(1, 41)}


async def test_a_failing_batch_is_retried_one_by_one_so_one_bad_tap_fails_alone():
    seq = UpdateSequencer(max_wait=5)
    calls: list[list[int]] = []

    async def process(items):
        calls.append(list(items))
        await asyncio.sleep(0.01)
        if 5 in items:
            raise ValueError("tap 5 is bad")
        return [i * 10 for i in items]

    results = await _taps(seq, range(1, 11), "seat", process)
    assert isinstance(results.pop(5), ValueError)
    assert results == {i: i * 10 for i in range(1, 11) if i != 5}
    assert any(len(c) > 1 and 5 in c for c in calls)  # it was in a batch, then alone
    assert [5] in calls


async def test_when_the_leader_is_cancelled_the_taps_it_held_are_decided_by_the_next():
    seq = UpdateSequencer(max_wait=5)
    started = asyncio.Event()
    decided: list[int] = []

    async def process(items):
        if items[0] == 2:
            started.set()
            await asyncio.sleep(10)  # the leader of 2..5 is stopped here
        decided.extend(items)
        return items

    results: dict = {}
    for i in range(1, 6):
        seq.enter(i)
    first = asyncio.create_task(seq.batched(1, "seat", 1, process))
    await first
    await seq.leave(1)

    async def tap(i):
        try:
            results[i] = await seq.batched(i, "seat", i, process)
        except asyncio.CancelledError:
            results[i] = "cancelled"
            raise
        finally:
            await seq.leave(i)

    tasks = {i: asyncio.create_task(tap(i)) for i in range(2, 6)}
    await asyncio.wait_for(started.wait(), 2)
    tasks[2].cancel()
    await asyncio.wait_for(asyncio.gather(*tasks.values(), return_exceptions=True), 2)
    assert results == {2: "cancelled", 3: 3, 4: 4, 5: 5}
    assert decided == [1, 3, 4, 5]


async def test_an_ordered_waiter_is_never_overtaken_by_a_batch():
    seq = UpdateSequencer(max_wait=5)
    served: list = []

    async def process(items):
        served.append(list(items))
        await asyncio.sleep(0.01)
        return items

    async def alone(update_id):
        seq.enter(update_id)
        await asyncio.sleep(0)
        async with seq.ordered(update_id, "seat"):
            served.append(update_id)
        await seq.leave(update_id)

    results: dict = {}
    await asyncio.gather(_taps(seq, [1, 2, 4, 5], "seat", process, results=results), alone(3))
    flat = [x for s in served for x in (s if isinstance(s, list) else [s])]
    assert flat == [1, 2, 3, 4, 5]


def test_batched_gates_run_named_service_functions_over_plain_items():
    """Issue 15: the sequencer takes work items and returns results; the process it runs is a
    named module-level function (a service's), never a closure or lambda built in a handler."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    calls, offenders = 0, []
    for path in sorted(root.glob("plugins/**/*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            nested = {n.name for n in ast.walk(func) if n is not func
                      and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
            for node in ast.walk(func):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "batched" and len(node.args) >= 4):
                    continue
                calls += 1
                process = node.args[3]
                if isinstance(process, ast.Lambda) or (isinstance(process, ast.Name) and process.id in nested):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert calls >= 2, "the booking and voting gates were not found: is this test still looking in the right place?"
    assert offenders == [], offenders
