"""Schedule jobs: reminders before sessions and keeping them in line with the settings."""

from plugins.schedule.reminders import send as send_reminder
from plugins.schedule.reminders import sync_job as sync_reminders

__all__ = ["send_reminder", "sync_reminders"]
