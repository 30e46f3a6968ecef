faq-menu = ❓ FAQ
faq-title = ❓ <b>Frequently asked questions</b>. Pick one:
faq-empty = The organizers have not added any answers yet.
faq-gone = This question is no longer there.
faq-back = ⬅️ Back to questions
faq-type-hint = Or just type your question, and I'll look for an answer.
faq-found = Here is what I found for your question:
faq-btn-no-help = 🤷 Didn't help
faq-btn-all = ❓ All questions
faq-nothing = I found no ready answer. You can ask the organizers:
faq-nothing-no-helpdesk = I found no ready answer. Try other words or look through all questions.
faq-no-help = Sorry about that. You can ask the organizers:
faq-no-help-no-helpdesk = Sorry about that. Try other words or ask at the registration desk.
faq-admin-menu = ❓ Questions and answers (FAQ)
faq-admin-home = ❓ <b>FAQ</b>: { $entries } questions in { $categories } sections. Pick what to change, or add something.
faq-admin-btn-new = ➕ Question
faq-admin-btn-new-category = ➕ Section
faq-admin-btn-back = ⬅️ Organizer panel
faq-admin-btn-home = ❓ To the FAQ
faq-admin-btn-cancel = Cancel
faq-admin-btn-edit-question = ✏️ Question
faq-admin-btn-edit-answer = ✏️ Answer
faq-admin-btn-delete = 🗑 Delete
faq-admin-btn-delete-yes = Yes, delete
faq-admin-btn-delete-category = 🗑 Delete the section (questions stay)
faq-admin-pick-category = Which section should the question go to?
faq-admin-no-category = No section
faq-admin-ask-category = Send the section's name (up to { $limit ->
        [one] { $limit } character
       *[other] { $limit } characters
    }).
faq-admin-ask-question = Send the question (up to { $limit ->
        [one] { $limit } character
       *[other] { $limit } characters
    }).
faq-admin-ask-answer = Send the answer (up to { $limit ->
        [one] { $limit } character
       *[other] { $limit } characters
    }).
faq-admin-category-added = Section "{ $title }" added.
faq-admin-category = 📂 <b>{ $title }</b>: { $entries } questions.
faq-admin-saved = Saved.
faq-admin-deleted = Deleted.
faq-admin-confirm-delete = Delete this question? Participants will no longer see it.
faq-admin-cancelled = Nothing was changed.
faq-error-category-empty = The section name is empty. Send some text.
faq-error-category-long = The name is too long: { $length ->
        [one] { $length } character
       *[other] { $length } characters
    }, up to { $limit } allowed.
faq-error-category-exists = There is already a section "{ $title }". Pick another name.
faq-error-category-gone = That section no longer exists. Start again.
faq-error-question-empty = The question is empty. Send the question's text.
faq-error-question-long = The question is too long: { $length ->
        [one] { $length } character
       *[other] { $length } characters
    }, up to { $limit } allowed. Shorten it and send it again.
faq-error-answer-empty = The answer is empty. Send the answer's text.
faq-error-answer-long = The answer is too long: { $length ->
        [one] { $length } character
       *[other] { $length } characters
    }, up to { $limit } allowed. Shorten it and send it again.
