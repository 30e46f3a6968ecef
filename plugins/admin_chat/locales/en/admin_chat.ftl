admin_chat-menu = ❓ Ask the organizers
admin_chat-admin-tickets = 📨 Questions
admin_chat-admin-room = 💬 Organizers' chat
admin_chat-admin-dashboard = 📊 Dashboard
admin_chat-admin-plugins = 🧩 Bot sections
admin_chat-admin-roles = 👥 Roles
admin_chat-admin-export = 📄 Export members

admin_chat-ask-prompt = Write your question to the organizers in one message — a photo or a file is fine too. The answer comes here.
admin_chat-btn-cancel = Cancel
admin_chat-cancelled = OK, nothing was sent.
admin_chat-accepted = ✅ Question #{ $ticket } was passed to the organizers. Their answer comes to this chat.
admin_chat-added = ✅ Added to question #{ $ticket }. The organizers will see it.
admin_chat-error-kind = I pass text, photos and documents to the organizers. Please send one of those.
admin_chat-error-empty = The message is empty — please write your question as text.
admin_chat-error-too-long = Too long: { $length ->
        [one] { $length } character
       *[other] { $length } characters
    }, the limit is { $limit }. Shorten it or split it.
admin_chat-error-not-member = Pick an event first: /start
admin_chat-no-ticket = There is no such question.
admin_chat-ticket-forgotten = The participant deleted their data — they can no longer be answered.
admin_chat-draft-gone = This question was already sent or is too old. Please write it again.
admin_chat-btn-ask-this = ❓ Ask the organizers
admin_chat-answer-head = 💬 <b>Answer from the organizers</b> · question #{ $ticket }
admin_chat-btn-write-back = ↩ Reply
admin_chat-btn-solved = ✓ Solved
admin_chat-write-back-prompt = Write what to add to question #{ $ticket }.
admin_chat-solved = Question #{ $ticket } is closed. Just write if anything comes up.

admin_chat-relay-head = 📨 <b>Question #{ $ticket }</b> · { $name }
admin_chat-digest-head = 📨 <b>New messages in { $count } questions</b> — tap a number to answer:
admin_chat-digest-line = #{ $ticket } · { $name }: { $text }
admin_chat-digest-more = …and { $count } more — in the next message.
admin_chat-media-photo = [photo]
admin_chat-media-document = [file]
admin_chat-btn-reply = ↩ Answer
admin_chat-btn-close = ✓ Close
admin_chat-btn-reopen = ↺ Reopen
admin_chat-card-head = 📨 <b>Question #{ $ticket }</b> · { $name } · { $status }
admin_chat-status-open = waiting for an answer
admin_chat-status-answered = answered
admin_chat-status-closed = closed
admin_chat-from-participant = Participant
admin_chat-reply-prompt = ✍️ Write the answer <b>as a reply to this message</b> — the participant gets it from "the organizers".
admin_chat-answer-sent = ✓ The answer to #{ $ticket } was sent to the participant ({ $name }).
admin_chat-taken-note = ✓ { $name } answered question #{ $ticket }: { $text }
admin_chat-closed = Question #{ $ticket } is closed.
admin_chat-reopened = Question #{ $ticket } is open again.

admin_chat-bind-which = Which event should this group serve? Write /bind &lt;event code&gt;.
admin_chat-bind-taken = This group already serves the event "{ $event }". Use /unbind for it first.
admin_chat-bound = Done: participants' questions about "{ $event }" will come here. Answer by replying to a question's message.
admin_chat-bound-forum = Done: participants' questions about "{ $event }" will come here, each question in its own topic. Answer right in the topic. The bot needs to be an admin allowed to manage topics.
admin_chat-unbound = The group no longer serves "{ $event }". Questions go to the organizers' private chats again.

admin_chat-btn-back = ← Panel
admin_chat-tickets-title = 📨 <b>Questions</b>
admin_chat-tickets-group = They come to the group "{ $title }".
admin_chat-tickets-nogroup = No group is bound: questions come to each organizer's private chat. To get them in a group, add the bot to the group and write /bind there.
admin_chat-tickets-open = <b>Waiting for an answer: { $count }</b>
admin_chat-tickets-answered = <b>Answered, not closed: { $count }</b>
admin_chat-tickets-line = #{ $ticket } · { $name } · { $hours } h { $minutes } min

admin_chat-room-title = 💬 <b>Organizers' chat</b> — only organizers see it.
admin_chat-room-prompt = Write a message — every other organizer gets it.
admin_chat-room-in-group = The organizers talk in the group "{ $title }".
admin_chat-btn-room-leave = Leave the chat
admin_chat-btn-room-answer = ↩ Answer in the chat
admin_chat-room-left = You left the organizers' chat.
admin_chat-room-text-only = Only text can be written to the organizers' chat.
admin_chat-room-sent = Sent to organizers: { $count }.
admin_chat-room-line = 💬 <b>{ $name }</b> (organizers' chat): { $text }

admin_chat-dash-title = 📊 <b>Dashboard</b> — { $event }
admin_chat-dash-people = 👥 Members: { $members }, registered: { $registered }, joined today: { $today }, organizers: { $organizers }
admin_chat-dash-tickets = 📨 Questions: waiting { $open }, answered { $answered }, closed { $closed }
admin_chat-dash-news = 📣 Recent news:
admin_chat-dash-news-line = • { $title }: delivered { $sent } of { $total }, failed { $failed }, blocked { $blocked }
admin_chat-btn-refresh = ↻ Refresh

admin_chat-plugins-title = 🧩 <b>Bot sections</b> for this event. Tap to switch one on or off; it applies from a participant's next tap.
admin_chat-plugins-line = { $mark } { $name } — { $source }
admin_chat-plugins-config = as in the settings
admin_chat-plugins-override = changed in the panel
admin_chat-btn-plugins-reset = Back to the settings
admin_chat-plugins-unknown = There is no section "{ $name }".
admin_chat-plugins-self = The panel cannot be switched off from the panel itself (there would be no way back). Switch it off in the settings file.

admin_chat-roles-ask = Who is it? Write part of the participant's name or their @username.
admin_chat-roles-short = Write at least two letters of the name.
admin_chat-roles-none = Nobody found. Try another part of the name.
admin_chat-roles-found = Whose role should change?
admin_chat-roles-pick = Which role for { $name }?
admin_chat-roles-confirm = { $name } gets the role "{ $role }". Confirm?
admin_chat-btn-confirm = ✓ Confirm
admin_chat-roles-done = Done: { $name } — { $role }.
admin_chat-roles-last = The last organizer cannot be removed: appoint another one first.
admin_chat-roles-config-admin = This organizer is listed in the settings file (admins) — remove them there.
admin_chat-roles-no-member = This person does not take part in the event.
admin_chat-roles-unknown = There is no role "{ $role }".

admin_chat-export-caption = Members: { $count }. Sign-up answers and the time of consent to data processing.
