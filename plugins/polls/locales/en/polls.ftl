polls-menu = 📊 Polls
polls-admin-menu = 📊 Polls and votes
polls-home = 📊 <b>Polls</b>: { $count } recent. Open one to see its results, or create a new one.
polls-btn-new = ➕ Create a poll
polls-btn-back = ⬅️ Organizer panel
polls-btn-home = 📊 To polls
polls-btn-cancel = Cancel
polls-btn-when = ⏰ Closing time
polls-btn-no-when = No closing time
polls-btn-preview = 👁 Preview
polls-btn-edit = ✏️ Change settings
polls-btn-pin = 📌 Don't send, pin under "Polls" in the menu
polls-btn-send-to = Send: { $audience } ({ $people ->
        [one] { $people } person
       *[other] { $people } people
    })
polls-btn-results = 📈 Results
polls-btn-close = 🔒 Close the poll
polls-btn-csv = ⬇️ Export CSV
polls-ask-question = Send the poll's question (up to { $limit ->
        [one] { $limit } character
       *[other] { $limit } characters
    }).
polls-ask-options = Send the answer options, one per line: { $min } to { $max }.
polls-ask-when = When should the poll close? Send a date and time in the event's time zone ({ $tz }): <code>25.12 18:30</code>, <code>25.12.2026 18:30</code> or just <code>18:30</code> (today).
polls-settings = <b>Poll:</b> { $question }
    Options: { $options }. Closes: { $when }.
    Adjust and press "Preview".
polls-when-none = by hand
polls-opt-multiple = Several options may be chosen
polls-opt-anonymous = Anonymous
polls-opt-changeable = Votes can be changed
polls-opt-show-results = Show results to voters
polls-opt-publish-results = Send the results when it closes
polls-confirm = This is how participants will see the poll. Who should get it?
polls-sent = The poll is queued for { $people ->
        [one] { $people } person
       *[other] { $people } people
    }. Results update by themselves.
polls-pinned = The poll is pinned under "Polls" in the menu.
polls-cancelled = The poll was not created.
polls-nothing-to-send = This draft was already sent or cancelled.
polls-gone = This poll no longer exists.
polls-csv-caption = Poll results (CSV).
polls-audience-all = everyone
polls-kind = { $multiple ->
    [true] Several options may be chosen
   *[other] One option
 } · { $anonymous ->
    [true] anonymous
   *[other] not anonymous: organizers see who voted how
 }
polls-closes-at = Closes { $when }.
polls-status-open = 🟢 Voting is open.
polls-status-closed = 🔒 The poll is closed; the results are final.
polls-closed-note = 🔒 The poll is closed.
polls-result-line = { $option }: { $count }
    { $bar }
polls-voters = Voted: { $count }
polls-your-choice = { $changeable ->
    [true] ✅ Your vote is counted. Tap another option to change it.
   *[other] ✅ Your vote is counted.
 }
polls-final-title = 🏁 <b>Poll results</b>
polls-list = 📊 Open polls:
polls-list-empty = There are no open polls right now.
polls-closed-now = The poll is closed.
polls-already-closed = The poll was already closed.
polls-vote-voted = Vote counted.
polls-vote-changed = Vote changed.
polls-vote-withdrawn = Option removed.
polls-vote-same = You already chose this option.
polls-vote-already = You have already voted, and this poll doesn't allow changing a vote.
polls-vote-closed = The poll is closed: voting is over.
polls-vote-not_found = This poll no longer exists.
polls-error-question-empty = The question is empty. Send the question's text.
polls-error-question-long = The question is too long: { $length ->
        [one] { $length } character
       *[other] { $length } characters
    }, up to { $limit } allowed. Shorten it and send it again.
polls-error-options-none = There are no options. Send { $min } to { $max } options, one per line.
polls-error-option-empty = Option { $number } is empty. Remove the empty line or write the text, and send the options again.
polls-error-option-long = Option { $number } is too long: { $length ->
        [one] { $length } character
       *[other] { $length } characters
    }, up to { $limit } allowed.
polls-error-option-duplicate = The option "{ $option }" repeats (lines { $first } and { $number }). Options must differ.
polls-error-options-few = { $count ->
        [one] Only { $count } option
       *[other] Only { $count } options
    }; at least { $min } needed. Send each on its own line.
polls-error-options-many = { $count } options; at most { $max } are allowed. Remove some and send them again.
polls-error-when-format = I didn't understand the time. Send, for example, <code>25.12 18:30</code> or <code>18:30</code>.
polls-error-when-past = That time has passed (it is { $now } now). Send a time in the future.
polls-error-when-passed = The closing time passed while you were setting up the poll. Pick a new one.
polls-error-audience-gone = That group no longer exists. Pick another.
