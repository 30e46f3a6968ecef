hello-menu = 👋 Wave
hello-waved = Hi! Greetings so far: { $count }.
hello-too-many = Thanks, but that is { $count } greetings already — enough for today.
hello-admin = 👋 Greetings
hello-admin-stats = Greetings in this event: { $count }. Last: { $last }.
hello-not-allowed = This is for the event's organizers only.
