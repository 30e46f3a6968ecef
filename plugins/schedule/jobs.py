"""Schedule jobs: reminders before sessions and keeping them in line with the settings; held
changes of other plugins that no release took in time."""

from plugins.schedule.digest import send_held
from plugins.schedule.reminders import send as send_reminder
from plugins.schedule.reminders import sync_job as sync_reminders

__all__ = ["send_held", "send_reminder", "sync_reminders"]
