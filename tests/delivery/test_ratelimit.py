"""The limiter alone, on a fake clock: the arrival window holds when requests arrive late."""

from __future__ import annotations

from core.delivery.ratelimit import Limits, LocalRateLimiter
from tests.delivery.conftest import fast_settings, max_in_window


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def send_burst(limiter: LocalRateLimiter, clock: Clock, count: int, delay_of) -> list[float]:
    """Grant ``count`` requests as fast as the limiter allows; request n arrives ``delay_of(n)`` s after
    its grant and is answered 1 ms after it arrives. Returns the arrival times."""
    arrivals: list[float] = []
    answers: list[tuple[float, object]] = []  # (answered at, grant), released when the clock passes them
    n = 0
    while n < count:
        for at, grant in sorted(answers, key=lambda a: a[0]):
            if at <= clock.now:
                await limiter.release(grant)
                answers.remove((at, grant))
        grant = await limiter.try_acquire(10_000 + n)
        if not grant.ok:
            assert grant.reason == "global" and grant.wait > 0
            pending = [at for at, _ in answers if at > clock.now]
            clock.now += min([grant.wait, *(at - clock.now for at in pending)])
            continue
        arrival = clock.now + delay_of(n)
        arrivals.append(arrival)
        answers.append((arrival + 0.001, grant))
        n += 1
    return arrivals


async def test_a_late_first_request_does_not_put_31_arrivals_in_a_second():
    # The first request also opens the connection: 60 ms from grant to arrival, the rest 1 ms.
    clock = Clock()
    limiter = LocalRateLimiter(Limits.from_settings(fast_settings(global_rate=30)), clock=clock)
    arrivals = await send_burst(limiter, clock, 200, lambda n: 0.060 if n == 0 else 0.001)
    assert max_in_window(arrivals) <= 30


async def test_stalls_anywhere_keep_every_window_at_the_limit():
    clock = Clock()
    limiter = LocalRateLimiter(Limits.from_settings(fast_settings(global_rate=30)), clock=clock)
    arrivals = await send_burst(limiter, clock, 300, lambda n: 0.25 if n % 37 == 5 else 0.001)
    assert max_in_window(arrivals) <= 30


async def test_prompt_answers_leave_the_rate_to_gcra():
    clock = Clock()
    limiter = LocalRateLimiter(Limits.from_settings(fast_settings(global_rate=30)), clock=clock)
    arrivals = await send_burst(limiter, clock, 301, lambda n: 0.001)
    # 300 GCRA intervals at 97 % of 30/s, less the 10 ms tolerance the first request leaves unused.
    assert abs((arrivals[-1] - arrivals[0]) - 300 / (30 * 0.97)) < 0.02


async def test_an_unreleased_grant_is_forgotten_after_the_horizon():
    clock = Clock()
    limiter = LocalRateLimiter(Limits.from_settings(fast_settings(global_rate=1)), clock=clock)
    assert (await limiter.try_acquire(1)).ok  # never released: a sender cancelled between grant and send
    clock.now += 2
    blocked = await limiter.try_acquire(2)
    assert not blocked.ok and blocked.reason == "global"  # it may still arrive
    clock.now += 60
    granted = await limiter.try_acquire(2)
    assert granted.ok
    clock.now += 0.3  # answered 0.3 s after the grant: it may have arrived that late
    await limiter.release(granted)
    clock.now += 0.75  # GCRA would allow the next one now
    blocked = await limiter.try_acquire(3)
    assert not blocked.ok and abs(blocked.wait - 0.25) < 1e-9  # 1 s after the answer
