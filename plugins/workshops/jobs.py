"""Workshops jobs: keeping opened lists and cards up to date (``live.py``), reminders (``reminders.py``)."""

from plugins.workshops.live import refresh_views
from plugins.workshops.reminders import send as send_reminder
from plugins.workshops.reminders import sync_job as sync_reminders

__all__ = ["refresh_views", "send_reminder", "sync_reminders"]
