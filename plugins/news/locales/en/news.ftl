news-admin-menu = 📣 News and broadcasts
news-home = 📣 <b>News</b>
    Everyone in the event receives it: { $people }.
news-home-line = • “{ $title }”: delivered { $sent } of { $total }, failed { $failed }, blocked the bot { $blocked }, queued { $pending }
news-btn-new = ✍️ Write news
news-btn-back = ⬅️ Organizer panel
news-btn-home = 📣 Back to news
news-btn-cancel = ✖️ Cancel
news-btn-send = ✅ Send
news-btn-again = ✏️ Start over
news-ask = Send the text of the news — formatting is kept — or a photo with a caption. { $people } people will get it.
news-confirm = This is how participants will see it ({ $people } people). Send it?
news-queued = 📣 The news is queued for { $people } people. A delivery report follows once every message is sent.
news-cancelled = The news was not sent.
news-nothing-to-send = Nothing to send: this news was already sent or cancelled.
news-error-kind = News can be text or a photo with a caption. Send one of them, or press “Cancel”.
news-error-empty = The text is empty. Send the text of the news.
news-error-too-long = Too long: { $length } characters, Telegram allows { $limit }. Shorten it or split it into two.
