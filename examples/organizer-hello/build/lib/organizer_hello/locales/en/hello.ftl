hello-menu = 👋 Wave
hello-waved = Hi! Greetings so far: { $count }.
hello-too-many = Thanks, but that is { $count } greetings already — enough for today.
