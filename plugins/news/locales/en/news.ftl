news-admin-menu = 📣 News and broadcasts
news-home = 📣 <b>News</b>
    { $people ->
        [one] { $people } person
       *[other] { $people } people
    } in the event. Send news to everyone or to a group — say, those booked for a workshop.
news-home-line = • “{ $title }”: delivered { $sent } of { $total }, failed { $failed }, blocked the bot { $blocked }, queued { $pending }
news-btn-new = ✍️ Write news
news-btn-back = ⬅️ Organizer panel
news-btn-home = 📣 Back to news
news-btn-cancel = ✖️ Cancel
news-audience-all = Everyone in the event
news-btn-again = ✏️ Start over
news-ask = Send the text of the news — formatting is kept — or a photo with a caption. You choose who gets it after the preview ({ $people ->
        [one] { $people } person
       *[other] { $people } people
    } in the event).
news-confirm = This is how participants will see it. Who should get it?
news-queued = 📣 The news is queued for { $people ->
        [one] { $people } person
       *[other] { $people } people
    }. A delivery report follows once every message is sent.
news-cancelled = The news was not sent.
news-nothing-to-send = Nothing to send: this news was already sent or cancelled.
news-error-kind = News can be text or a photo with a caption. Send one of them, or press “Cancel”.
news-error-empty = The text is empty. Send the text of the news.
news-error-too-long = Too long: { $length ->
        [one] { $length } character
       *[other] { $length } characters
    }, Telegram allows { $limit }. Shorten it or split it into two.
news-error-audience-gone = That group is gone (the workshop was deleted or nobody is booked). Choose other recipients.
news-btn-audience = { $mark ->
        [yes] ✅ { $audience } · { $people }
       *[no] { $audience } · { $people }
    }
news-btn-send = 📤 Send ({ $people ->
        [one] { $people } person
       *[other] { $people } people
    })
news-confirm-to = Send the news to <b>{ $audience }</b> — { $people ->
        [one] { $people } person
       *[other] { $people } people
    }? Check the recipients and press “Send”.
news-header = 📣 <b>{ $event }</b> · from the organizers

## The participant's feed
news-menu = 📣 News
news-feed-empty = No news yet. When the organizers write something, it appears here.
news-feed-photo = 📷 (news with a photo — see the chat above)
news-feed-older = ‹ Older
news-feed-newer = Newer ›
