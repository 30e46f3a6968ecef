## Workshops: participants
workshops-menu = 🎓 Workshops
workshops-list-title = 🎓 <b>Workshops</b>
workshops-list-empty = No workshops yet. Check back later.
workshops-list-line = { $start }–{ $end } · { $title } — { $seats }
workshops-list-booked = ✅ you are booked
workshops-list-free = { $free ->
    [one] { $free } seat
   *[other] { $free } seats
}
workshops-list-full = full
workshops-page = { $page }/{ $pages }
workshops-btn-prev = ‹ Back
workshops-btn-next = Next ›
workshops-btn-book = ✍️ Book
workshops-btn-queue = ⏳ Join the waitlist
workshops-btn-cancel = ❌ Cancel booking
workshops-btn-back-list = ⬅️ To the list
workshops-card-speaker = 🎤 { $speaker }
workshops-card-when = 🕒 { $when }
workshops-card-place = 📍 { $place }
workshops-seats-free = 💺 Seats left: { $free } of { $capacity }
workshops-seats-none = { $capacity ->
        [one] 💺 Full (the only seat is taken)
       *[other] 💺 Full (all { $capacity } seats taken)
    }
workshops-card-booked = ✅ You are booked.
workshops-card-started = The workshop has started.
workshops-card-closed = Booking is closed.
workshops-booked = ✅ You are booked for “{ $title }”.
workshops-booked-clash-warning = ⚠️ Note: it overlaps with “{ $other }” ({ $day }, { $start }–{ $end }).
workshops-already-booked = You are already booked for “{ $title }”.
workshops-clash = ⛔ Not booked: it overlaps with your booking for “{ $other }” ({ $day }, { $start }–{ $end }). Cancel that one first.
workshops-full = No seats left.
workshops-booking-closed = Booking for this workshop is closed.
workshops-started = The workshop has started: booking and cancelling are closed.
workshops-gone = This workshop no longer exists.
workshops-cancelled = Your booking for “{ $title }” is cancelled. The seat goes to the next person on the waitlist, if any.
workshops-not-booked = You were not booked for “{ $title }”.
workshops-cancel-started = The workshop has started: the booking can no longer be cancelled.
workshops-toast-booked = You are booked!
workshops-toast-already = You are already booked.
workshops-toast-clash = Time overlap: not booked.
workshops-toast-cancelled = Booking cancelled.
workshops-toast-not-booked = You were not booked.
workshops-toast-cancel-started = Already started: cannot cancel.
workshops-toast-gone = This workshop no longer exists.
workshops-profile-title = 🎓 My workshops
workshops-profile-none = You have not booked any workshop yet.
workshops-profile-line = • { $title } — { $when }
workshops-notice-changed = 🔔 Changes to the workshop “{ $title }” you are booked for:
workshops-notice-changed-time = Time: was { $old }, now <b>{ $new }</b>
workshops-notice-changed-place = Place: was { $old }, now <b>{ $new }</b>
workshops-notice-cancelled = ❗ The workshop “{ $title }” ({ $when }) is cancelled. Your booking is removed.
workshops-reminder = ⏰ Reminder: you are booked for the workshop “{ $title }”.
    When: <b>{ $when }</b>
    Where: <b>{ $place }</b>
workshops-reminder-open = Open the card
workshops-news-audience = 🎓 { $when } “{ $title }”

## Workshops: organizers
workshops-admin-menu = 🎓 Workshops
workshops-admin-title = 🎓 <b>Workshops</b> — { $count } in total
workshops-admin-line = • { $title } — { $when }: { $booked } of { $capacity } booked, awaiting an answer to an offer: { $held }
workshops-admin-seats = 💺 Booked: { $booked } of { $capacity }; held for an offer: { $held }; waitlist: { $waiting }
workshops-admin-capacity = 💺 Seats: { $capacity }
workshops-admin-key = Key in the program file: <code>{ $program_key }</code>
workshops-admin-btn-new = ➕ New workshop
workshops-admin-btn-csv-all = 📄 CSV: all bookings
workshops-admin-btn-csv = 📄 CSV
workshops-admin-btn-back = ⬅️ Organizer panel
workshops-admin-btn-list = ⬅️ To workshops
workshops-admin-btn-back-ws = ⬅️ To the workshop
workshops-admin-btn-attendees = 👥 Attendees
workshops-admin-btn-waitlist = ⏳ Waitlist
workshops-admin-btn-delete = 🗑 Delete
workshops-admin-btn-delete-yes = 🗑 Yes, delete
workshops-admin-btn-no = No
workshops-admin-btn-save = ✅ Save
workshops-admin-btn-abort = ✖️ Cancel
workshops-admin-edit-title = ✏️ Title
workshops-admin-edit-speaker = ✏️ Speaker
workshops-admin-edit-place = ✏️ Place
workshops-admin-edit-description = ✏️ Description
workshops-admin-edit-time = ✏️ Time
workshops-admin-edit-capacity = ✏️ Capacity
workshops-admin-attendees = 👥 <b>Attendees of “{ $title }”</b>: { $count }
workshops-admin-queue = ⏳ <b>Waitlist of “{ $title }”</b>: { $count }
workshops-admin-queue-offered = ⏱ awaiting answer:
workshops-admin-came = ✅ { $came ->
        [one] { $came } person came
       *[other] { $came } people came
    } out of { $booked } booked
workshops-admin-came-at = — ✅ came at { $time }
workshops-admin-nobody = Nobody yet.
workshops-admin-csv-caption = Bookings export (CSV, opens in Excel and Google Sheets).
workshops-admin-delete-confirm = Delete “{ $title }”? Booked: { $booked }. Attendees and the waitlist will be told it is cancelled.
workshops-admin-deleted = Workshop “{ $title }” deleted. Notices sent: { $told }.
workshops-create-intro = ➕ <b>New workshop.</b> Answer step by step; nothing is saved until you press “Save”.
workshops-create-preview = 👀 <b>Check</b> and press “Save”:
workshops-create-aborted = Cancelled, nothing was saved.
workshops-create-fix-start = Enter the start time again.
workshops-created = ✅ Workshop “{ $title }” created.
workshops-edit-intro = ✏️ Editing “{ $title }”.
workshops-saved = ✅ Saved.
workshops-notified = Attendees notified: { $count }.
workshops-notified-joined = Of them, in the digest of program changes: { $count }.
workshops-capacity-changed = ✅ Seats: now { $new } (was { $old }).
workshops-try-again = Please try again.
workshops-ask-title = Title (up to 200 characters):
workshops-ask-speaker = Speaker (or “Skip”):
workshops-ask-place = Place — room, hall (or “Skip”):
workshops-ask-description = Description (up to 2000 characters, or “Skip”):
workshops-ask-starts = When does it start? A date and time in the event's timezone ({ $tz }), e.g. <code>December 5 10:00</code>, <code>tomorrow 10:00</code> or <code>2026-03-12 10:00</code>.
workshops-ask-ends = When does it end? E.g. <code>11:30</code>, <code>90</code> (minutes) or <code>December 5 18:00</code>.
workshops-ask-capacity = How many seats? A whole number, e.g. <code>20</code>.
workshops-error-title-empty = The title cannot be empty.
workshops-error-too-long = Too long: { $length ->
        [one] { $length } character
       *[other] { $length } characters
    }, at most { $limit } allowed.
workshops-error-datetime = Could not read the date and time. Write a day and a time, e.g. <code>December 5 10:00</code> or { $example }.
workshops-error-end-format = Could not read the end. Write a time (<code>11:30</code>), a duration in minutes (<code>90</code>) or a date and time (<code>December 5 18:00</code>).
workshops-error-in-past = That time has passed. Give a date and time in the future.
workshops-error-end-before-start = The end must be after the start.
workshops-error-too-long-duration = A workshop cannot last longer than { $hours } h.
workshops-error-capacity-number = Seats must be a whole number, e.g. 20.
workshops-error-capacity-range = Seats must be between 1 and { $limit }.
workshops-error-capacity-below = Cannot set { $capacity ->
        [one] { $capacity } seat
       *[other] { $capacity } seats
    }: { $booked } booked{ $held ->
        [0] {""}
       *[other] {" "}and { $held } more held for a waitlist offer
    }. The minimum is { $minimum }.
workshops-error-not-found = Workshop not found: it may have been deleted.
workshops-error-not-text = Please answer with text.
workshops-error-key = A key is required: Latin letters, digits, “-”, “_”, “.”, “:”, up to { $limit ->
        [one] { $limit } character
       *[other] { $limit } characters
    }.
workshops-error-program-item = Expected a workshop's fields (key, title, starts_at, ...).
workshops-error-program-fields = Unknown fields: { $fields }.
workshops-error-program-missing = Field “{ $field }” is missing.
workshops-error-program-duplicate = This key already appeared earlier in the file.
workshops-dashboard-line = 🎓 { $title }: { $booked } of { $capacity ->
        [one] { $capacity } seat
       *[other] { $capacity } seats
    } taken
