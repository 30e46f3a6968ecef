## Schedule: participants
schedule-menu = 🗓 Program
schedule-home-title = 🗓 <b>Program — { $event }</b> (now { $now })
schedule-program-empty = The program is not published yet. Check back later.
schedule-now = <b>▶️ Now</b>
schedule-next = <b>⏭ Next</b>
schedule-none = —
schedule-more = …and { $count } more
schedule-btn-home = 🗓 Program
schedule-btn-today = Today
schedule-btn-days = By day
schedule-btn-tracks = By track
schedule-btn-rooms = By room
schedule-btn-my = ⭐ My schedule
schedule-btn-reminders = ⏰ Reminders
schedule-btn-prev = ‹ Back
schedule-btn-next = Next ›
schedule-btn-open = Open the card
schedule-btn-bookmark = 🔖 Add to my schedule
schedule-btn-unbookmark = ✖️ Remove from my schedule
schedule-btn-ics = 📅 Download .ics
schedule-today-none = Nothing in the program today.
schedule-days-title = 📆 Pick a day:
schedule-tracks-title = 🧭 Pick a track:
schedule-rooms-title = 📍 Pick a room:
schedule-groups-none-t = The program has no tracks.
schedule-groups-none-r = The program names no rooms.
schedule-day-title = 📆 <b>{ $day }</b>
schedule-group-title = <b>{ $name }</b>
schedule-page = p. { $page }/{ $pages }
schedule-day = { $weekday }, { $date }
schedule-wd-0 = Mon
schedule-wd-1 = Tue
schedule-wd-2 = Wed
schedule-wd-3 = Thu
schedule-wd-4 = Fri
schedule-wd-5 = Sat
schedule-wd-6 = Sun
schedule-kind-talk = Talk
schedule-kind-keynote = Keynote
schedule-kind-break = Break
schedule-kind-deadline = Deadline
schedule-kind-other = Event
schedule-card-when = 🕒 { $when }
schedule-card-room = 📍 { $room }
schedule-card-track = 🧭 { $track }
schedule-card-speaker = 🎤 { $speaker }
schedule-card-cancelled = ❌ <b>Cancelled</b>
schedule-card-bookmarked = 🔖 In your schedule — you will be reminded before it starts.
schedule-bookmarked = Added to your schedule
schedule-unbookmarked = Removed from your schedule
schedule-not-found = No such program item (it may have been cancelled).
schedule-clash = ⚠️ clash
schedule-my-title = ⭐ <b>My schedule — { $event }</b>
schedule-my-empty = Your schedule is empty. Open the program and tap "🔖 Add to my schedule" on what you like.
schedule-my-clashes = ⚠️ Overlapping in time: { $count }
schedule-my-kind-workshop = workshop
schedule-ics-caption = 📅 Your schedule ({ $count }). Importing it again updates the events instead of duplicating them.
schedule-reminder = ⏰ In { $minutes } min: "{ $title }"
schedule-profile-title = ⏰ Reminders
schedule-rem-title = ⏰ <b>Reminders</b> of your program items and workshops
    Now: { $current }
schedule-rem-off = off
schedule-rem-one = { $minutes } min before the start
schedule-rem-all = on ({ $minutes } min before)
schedule-rem-btn-minutes = { $minutes } min before
schedule-rem-btn-all = Default
schedule-rem-btn-off = 🔕 Switch off
schedule-rem-saved = Saved
schedule-news-audience = 🔖 "{ $title }" ({ $when })

## Published changes
schedule-digest-title = 🔔 <b>Program changes — { $event }</b>
schedule-digest-more = …and { $count } more changes. Open "My schedule".
schedule-change-title = <b>"{ $title }"</b>
schedule-change-new = 🆕 New: { $when }
schedule-change-cancelled = ❌ Cancelled
schedule-change-restored = ✅ Back in the program
schedule-change-moved = 🕒 Time: was { $old }, now { $new }
schedule-change-room = 📍 Room: was { $old }, now { $new }
schedule-change-speakers = 🎤 Speakers: were { $old }, now { $new }
schedule-change-renamed = ✏️ New title: "{ $new }"
schedule-change-details = ✏️ Description updated
schedule-change-workshop = 🛠 Workshop <b>"{ $title }"</b> you are booked for
schedule-change-workshop-cancelled = ❌ Cancelled ({ $when }); your booking is removed
schedule-change-place = 📍 Place: was { $old }, now { $new }

## Speakers
schedule-speaker-claimed = 🎤 Done: you are the speaker "{ $name }". Your talks are in "My schedule".
schedule-speaker-link-used = This speaker link has already been used. Ask the organizers for a new one.
schedule-speaker-link-unknown = Speaker link not found. Check it or ask the organizers for a new one.

## Organizers
schedule-admin-menu = 🗓 Program
schedule-admin-home = 🗓 <b>Program</b>
    Items: { $sessions }; unpublished changes: { $pending }.
    { $drafts }
schedule-admin-drafts-on = Edits wait in a draft until "Publish changes".
schedule-admin-drafts-off = Drafts are off: every edit is published at once.
schedule-admin-btn-home = 🗓 Program (organizer)
schedule-admin-btn-new = ➕ New item
schedule-admin-btn-list = 📋 All items
schedule-admin-btn-publish = 📣 Publish changes ({ $count })
schedule-admin-btn-publish-go = ✅ Publish and notify ({ $people })
schedule-admin-btn-speakers = 🎤 Speaker links
schedule-admin-btn-back = ⬅️ Admin menu
schedule-admin-btn-abort = Cancel
schedule-admin-btn-save = 💾 Save
schedule-admin-btn-cancel-session = ❌ Cancel this item
schedule-admin-btn-cancel-yes = Yes, cancel it
schedule-admin-ask-form = Send the program item, one field a line (times in { $timezone }):
    <code>Title
    2026-03-12 10:00
    11:30 (end; or minutes; "-" for a deadline)
    Room (or -)
    Speakers, comma-separated (or -)
    Kind: talk, keynote, break, deadline, other (optional)
    Track (optional)</code>
schedule-admin-ask-title = Send the new title.
schedule-admin-ask-time = Send the new start (2026-03-12 10:00) and, on a second line, the end (11:30, minutes or "-"). Without a second line the length is kept.
schedule-admin-ask-room = Send the room (or "-" to clear it).
schedule-admin-ask-speakers = Send the speakers, comma-separated, as in the program (or "-").
schedule-admin-ask-description = Send the description (or "-" to clear it).
schedule-admin-field-title = Title
schedule-admin-field-time = Time
schedule-admin-field-room = Room
schedule-admin-field-speakers = Speakers
schedule-admin-field-description = Description
schedule-admin-preview = 👀 <b>Preview.</b> Save it?
schedule-admin-saved = ✅ Saved and published.
schedule-admin-saved-draft = ✅ Saved to the draft. Participants hear of it after "Publish changes".
schedule-admin-nothing = Nothing to save.
schedule-admin-aborted = Cancelled, nothing saved.
schedule-admin-unpublished = 📝 <i>Draft: not published yet</i>
schedule-admin-drafted = ✏️ <i>Has unpublished changes</i>
schedule-admin-list = 📋 Program items: { $count }
schedule-admin-cancel-confirm = Cancel "{ $title }"? Participants who added it hear of it when you publish.
schedule-admin-publish-none = No unpublished changes.
schedule-admin-publish-preview = 📣 <b>Changes: { $changes }.</b> Participants to notify: { $people } (each gets one message listing all of their changes).
schedule-admin-publish-held = 🛠 Of them, workshop changes: { $count } — already saved, they join the same notices.
schedule-admin-held-title = 🛠 Workshop <b>"{ $title }"</b>
schedule-admin-published = ✅ Published { $changes } changes. Notices queued: { $people }.
schedule-admin-speakers = 🎤 Speakers: { $count }. Tap a speaker for a one-time link (✅ — already claimed).
schedule-admin-link = One-time link for the speaker (send it to them personally):
    { $link }

## Errors
schedule-error-prefix = ⚠️ { $reason } Nothing was saved — fix it and send again.
schedule-error-title-empty = The title cannot be empty.
schedule-error-too-long = Too long: { $length ->
        [one] { $length } character
       *[other] { $length } characters
    }, at most { $limit } allowed.
schedule-error-kind = Unknown kind; possible: { $kinds }.
schedule-error-end-missing = Give the end (only a deadline may have none).
schedule-error-end-before-start = The end must be after the start.
schedule-error-too-long-duration = An item cannot last more than { $hours } h.
schedule-error-room-busy = Room "{ $room }" is taken at that time: "{ $title }".
schedule-error-speaker-unknown = Speaker "{ $speaker }" not found; add them to the program first.
schedule-error-datetime = Could not read the date and time; example: { $example }.
schedule-error-end-format = Could not read the end: "11:30", minutes, a date and time, or "-".
schedule-error-form = At least 4 lines are needed: title, start, end, room (and at most 7).
schedule-error-not-found = No such item.
schedule-error-key = A key is required: latin letters, digits and _.:- (up to { $limit ->
        [one] { $limit } character
       *[other] { $limit } characters
    }).
schedule-error-program-item = Expected a mapping of fields.
schedule-error-program-fields = Unknown fields: { $fields }.
schedule-error-program-missing = Missing field { $field }.
schedule-error-program-duplicate = This key was already used above.
schedule-error-duration = duration_minutes must be a number.
schedule-error-username = Telegram username: 4–32 latin letters, digits or _.
schedule-error-lead = You can pick only: { $options } min.

## More editable fields
schedule-admin-ask-track = Send the track (or "-" to clear it).
schedule-admin-ask-kind = Send the kind: talk, keynote, break, deadline or other.
schedule-admin-ask-forall = Remind every participant, not only those who added it? Answer "yes" or "no".
schedule-admin-field-track = Track
schedule-admin-field-kind = Kind
schedule-admin-field-forall = For all
schedule-error-yes-no = Answer "yes" or "no".
