"""A sender in its own process, for crash and scale-out tests: ``python -m tests.delivery.sender_process``.

Prints ``ready`` once running; runs until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from core.db import create_engine, session_factory
from core.delivery.leases import LeaseKeeper
from core.delivery.ratelimit import Limits, LocalRateLimiter, RedisRateLimiter
from core.delivery.sender import OutboxSender
from tests.delivery.conftest import fast_settings, make_bot


async def main(args: argparse.Namespace) -> None:
    settings = fast_settings(global_rate=args.rate, batch_size=args.batch_size,
                             claim_timeout_seconds=args.claim_timeout)
    limits = Limits.from_settings(settings)
    limiter = RedisRateLimiter(limits, args.redis, args.prefix) if args.redis else LocalRateLimiter(limits)
    engine = create_engine(args.db)
    bot = make_bot(args.api)
    sessions = session_factory(engine)
    sender = OutboxSender(bot, sessions, settings, worker_id=args.worker, limiter=limiter)
    lease = None
    if args.lease:  # as the app runs it (core.delivery.workers): the lease renewed beside the sender
        keeper = LeaseKeeper(sessions, args.worker, args.lease)
        await keeper.beat()
        lease = asyncio.create_task(keeper.run())
    print("ready", flush=True)
    try:
        await sender.run()
    finally:
        if lease is not None:
            lease.cancel()
            await asyncio.gather(lease, return_exceptions=True)
        await bot.session.close()
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--worker", required=True)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--claim-timeout", type=float, default=2.0)
    parser.add_argument("--lease", type=float, help="renew a worker lease of this many seconds")
    parser.add_argument("--redis")
    parser.add_argument("--prefix", default="organizer:test")
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(parser.parse_args()))
