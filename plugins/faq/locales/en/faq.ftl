faq-menu = ❓ FAQ
faq-title = ❓ <b>Frequently asked questions</b>. Pick one:
faq-empty = The organizers have not added any answers yet.
faq-gone = This question is no longer there.
faq-back = ⬅️ Back to questions
