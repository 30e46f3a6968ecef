qr-menu-pass = 🎫 My pass
qr-menu-desk = 📷 Check-in desk
qr-admin-desk = 📷 Check-in at the door
qr-cmd-pass = my QR pass
qr-pass-caption = 🎫 <b>{ $event }</b>
    { $name }
    Code: <code>{ $code }</code>
    Show the QR at the entrance. If the camera cannot read it, say the code.
qr-pass-need-signup = Your pass appears once you finish signing up: open the menu and fill in the form.
qr-btn-reissue = 🔄 Re-issue
qr-btn-menu = ⬅️ Menu
qr-reissue-ask = Issue a new pass? The old QR and code stop working at once — for example if the pass got into someone else's hands.
qr-btn-reissue-yes = Yes, issue a new one
qr-btn-reissue-no = No, keep it
qr-reissued = Done: here is your new pass; the old one no longer works.
qr-profile-title = Pass
qr-profile-none = Open "My pass" in the menu for your entrance QR.
qr-profile-live = Pass code: { $code } (the QR is under "My pass" in the menu).
qr-profile-checked-in = ✅ You checked in at { $when }.

qr-desk-start = 📷 <b>Check-in desk</b>
    Send photos of passes (the QR) or type the code under the QR — one per person. The desk stays on for the next one.
qr-desk-off = Check-in desk closed.
qr-btn-stats = 📊 Statistics
qr-btn-desk-off = ✖️ Close the desk
qr-btn-undo = ↩️ Undo this check-in
qr-ok = ✅ <b>{ $name }</b> — { $role }
    Checked in at { $time }.
qr-ok-workshops = Workshops today: { $list }
qr-already = ⚠️ <b>Already checked in:</b> { $name } — at { $time }, { $by }.
    Do not let them in twice: ask whether the pass was passed on.
qr-already-by-cli = from the organizer's console
qr-already-by = by { $name }
qr-forged = ❌ <b>Forged or altered pass</b>: the signature does not match. Do not let them in; ask them to open "My pass" in the bot.
qr-unknown = ❌ <b>Pass not found</b>: we never issued this pass. Ask them to open "My pass" in the bot.
qr-revoked = ❌ <b>Pass revoked</b> ({ $reason }) { $when }: { $name }. Only the new pass from the bot is valid.
qr-revoked-reissued = a new one was issued
qr-revoked-forgotten = the participant deleted their data
qr-revoked-other = revoked
qr-other-event = ❌ <b>Pass for another event</b>: "{ $event }". It is not valid here.
qr-not-registered = ❌ <b>Not registered</b>: { $name } has not finished signing up or has left the event.
qr-not-ours = ❌ <b>Not a pass</b>: there is a QR code, but not ours (a link or someone else's code). Ask them to open "My pass" in the bot.
qr-no-qr = ❌ <b>No QR found</b> in the photo. Take it closer and straighter, without glare — or type the code under the QR.
qr-not-image = ❌ <b>Not an image</b>. Send a photo of the pass or type the code under the QR.
qr-bad-code = ❌ <b>Code not found</b>: "{ $code }". The code is the 8 characters under the QR, e.g. ABCD-2345.
qr-too-big = ❌ The file is too large ({ $size } MB). Send the pass as a photo, not as a file.
qr-scanner-missing = ⚠️ Reading photos does not work on this server: the zbar library is not installed (package { $package }). Tell the bot's administrator. Meanwhile type the code under the QR — that works.
qr-desk-only = Only the event's organizers and check-in staff may scan passes.
qr-undone = ↩️ Check-in undone: { $name }. They can be scanned again.
qr-undo-gone = This check-in was already undone.
qr-stats = 📊 <b>Check-in at the door</b>
    Checked in: { $checked } of { $registered }
qr-stats-hour = { $hour } — { $count }
qr-stats-none = Nobody has checked in yet.
qr-news-audience = Not at the event yet

qr-desk-start-doors = 🚪 At a workshop's door? Tap “Workshop door” and pick the workshop.
qr-btn-doors = 🚪 Workshop door
qr-btn-other-door = 🚪 Another workshop
qr-btn-entrance = 📷 Event entrance
qr-doors-off = Check-in at workshop doors is off for this event.
qr-doors-none = No workshops today — there is no door to check people in at.
qr-doors-pick = 🚪 { $count ->
        [one] { $count } workshop
       *[other] { $count } workshops
    } today. Which door are you at? (on each button: came / booked)
qr-door-gone = ❌ This workshop no longer exists (or check-in at workshop doors was turned off). Pick the door again.
qr-door-start = 🚪 <b>Door of “{ $title }”</b>, { $starts }–{ $ends }, { $place }
qr-door-hint = Send photos of passes or type the code under the QR: we mark who came, and tell you when someone is not on the list.
qr-door-count = { $came ->
        [one] { $came } person
       *[other] { $came } people
    } came out of { $booked } booked.
qr-door-ok = ✅ <b>{ $name }</b> — on the list of “{ $title }”. Marked at { $time }.
qr-door-already = ⚠️ <b>Already at “{ $title }”:</b> { $name } — marked at { $time }, { $by }.
qr-door-not-booked = ❌ <b>Not on the list</b> of “{ $title }”: { $name } did not book this workshop.
qr-door-undone = ↩️ Workshop mark undone: { $name }. They can be scanned again.
qr-door-stats = 🚪 <b>“{ $title }”</b>
qr-entrance-back = 📷 Back at the event entrance: send passes.
