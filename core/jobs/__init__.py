"""Due-time jobs: work stored with the time it is due, run once, surviving restarts.

    from core.jobs import schedule, reschedule, cancel

    await schedule(session, key=f"workshops:reminder:{s.id}:{user.id}", job="workshops:reminder",
                   due_at=s.starts_at - timedelta(minutes=15), payload={"session": s.id, "user": user.id})

A plugin declares the handler with ``JobSpec(name="reminder", func=send_reminder, misfire="drop",
misfire_grace=600)`` from its ``register_jobs`` hook; ``func(ctx, session, payload)``.
"""

from core.jobs.models import Job, JobState
from core.jobs.runner import JobContext, JobRunner
from core.jobs.store import cancel, get_job, reschedule, schedule

__all__ = ["Job", "JobContext", "JobRunner", "JobState", "cancel", "get_job", "reschedule", "schedule"]
