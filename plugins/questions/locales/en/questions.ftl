questions-menu = ❔ Questions to speakers
questions-speaker-menu = 🎤 Questions to me
questions-admin-menu = ❔ Questions to speakers (moderation)
questions-list-title = ❔ <b>Questions to speakers</b> — most supported first. Tap 👍 with a number to support a question (again to withdraw).
questions-list-empty = No questions yet.
questions-line = { $n }. { $text } — 👍 { $votes }{ $answered ->
    [true] , ✅ answered
   *[other] {""}
 }{ $pending ->
    [true] , ⏳ awaiting moderation
   *[other] {""}
 }
questions-by = ({ $author })
questions-anonymous = anonymous
questions-btn-ask = ✍️ Ask a question
questions-btn-ask-speaker = ✍️ Ask the speaker
questions-btn-session-questions = ❔ Questions on this talk
questions-btn-cancel = Cancel
questions-btn-list = ❔ To questions
questions-btn-named = With my name
questions-btn-anonymous = Anonymously
questions-btn-publish = 👍 Publish { $n }
questions-btn-answered = ✅ Answered { $n }
questions-btn-hide = 🙈 Hide { $n }
questions-btn-back-admin = ⬅️ Organizer panel
questions-ask = Write your question to the speaker (up to { $limit ->
        [one] { $limit } character
       *[other] { $limit } characters
    }).
questions-how = How should the question be sent?
questions-sent-published = Your question is published. Others can support it.
questions-sent-moderation = Your question went to the organizers: it appears in the list once approved.
questions-cancelled = The question was not sent.
questions-nothing-to-send = This question was already sent or cancelled.
questions-queue-title = 🎤 <b>Questions</b> — by votes. Mark answered ones, hide inappropriate ones.
questions-upvote-upvoted = Vote given.
questions-upvote-withdrawn = Vote withdrawn.
questions-upvote-own = You can't vote for your own question.
questions-upvote-gone = This question no longer exists.
questions-done-ans = Marked as answered; the author will be told.
questions-done-hide = Question hidden.
questions-done-pub = Question published.
questions-done-already = Already done.
questions-answered-notice = ✅ Your question was answered: "{ $text }"
questions-error-empty = The question is empty. Write its text.
questions-error-long = The question is too long: { $length ->
        [one] { $length } character
       *[other] { $length } characters
    }, up to { $limit } allowed. Shorten it and send it again.
questions-error-no-anonymous = Anonymous questions are switched off for this event.
questions-btn-session-ratings = ⭐ Talk ratings
questions-btn-ratings = ⭐ Talk ratings
questions-btn-back-session = ⬅️ Back to the talk
questions-rate-prompt = ⭐ How was the talk “{ $title }”? Rate it from 1 to 5 with one tap.
questions-rate-speakers = 🎤 { $speakers }
questions-rate-yours = Your rating: { $stars } ({ $score }). Changed your mind? Tap another number.
questions-rate-closed-note = Ratings for this talk are closed.
questions-rate-recorded = Thank you! Your rating: { $score }.
questions-rate-changed = Rating changed to { $score }.
questions-rate-same = You already gave { $score }. To change it, tap another number.
questions-rate-closed = Ratings for this talk are closed; your rating was not changed.
questions-rate-not-invited = This talk is rated by those who had it in their schedule: they get an invitation after the talk.
questions-rate-invalid = A rating is a number from 1 to 5.
questions-ratings-title = ⭐ <b>Talk ratings</b>: the average and how many people rated.
questions-ratings-one-title = ⭐ <b>Talk rating</b>
questions-ratings-empty = No ratings yet: the audience of a talk is invited to rate it after it ends.
questions-ratings-line = { $n }. “{ $title }” — ⭐ { NUMBER($average, minimumFractionDigits: 1, maximumFractionDigits: 1) }, { $count ->
        [one] { $count } rating
       *[other] { $count } ratings
    } of { $invited } invited
questions-ratings-line-none = { $n }. “{ $title }” — no ratings yet, { $invited ->
        [one] { $invited } person invited
       *[other] { $invited } people invited
    }
questions-ratings-not-allowed = A talk's ratings are seen by the organizers and the talk's speaker.
