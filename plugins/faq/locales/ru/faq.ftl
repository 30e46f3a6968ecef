faq-menu = ❓ Вопросы и ответы
faq-title = ❓ <b>Частые вопросы</b>. Выберите вопрос:
faq-empty = Организаторы ещё не добавили ответы на частые вопросы.
faq-gone = Этого вопроса больше нет.
faq-back = ⬅️ К вопросам
faq-type-hint = Или просто напишите свой вопрос — я поищу ответ.
faq-found = Вот что нашлось по вашему вопросу:
faq-btn-no-help = 🤷 Не помогло
faq-btn-all = ❓ Все вопросы
faq-nothing = Готового ответа не нашлось. Можно спросить организаторов:
faq-nothing-no-helpdesk = Готового ответа не нашлось. Попробуйте сказать иначе или посмотрите все вопросы.
faq-no-help = Жаль. Можно спросить организаторов:
faq-no-help-no-helpdesk = Жаль. Попробуйте сказать иначе или подойдите к стойке регистрации.
faq-admin-menu = ❓ Вопросы и ответы (FAQ)
faq-admin-home = ❓ <b>FAQ</b>: вопросов — { $entries }, разделов — { $categories }. Выберите, что изменить, или добавьте новое.
faq-admin-btn-new = ➕ Вопрос
faq-admin-btn-new-category = ➕ Раздел
faq-admin-btn-back = ⬅️ Панель организатора
faq-admin-btn-home = ❓ К FAQ
faq-admin-btn-cancel = Отмена
faq-admin-btn-edit-question = ✏️ Вопрос
faq-admin-btn-edit-answer = ✏️ Ответ
faq-admin-btn-delete = 🗑 Удалить
faq-admin-btn-delete-yes = Да, удалить
faq-admin-btn-delete-category = 🗑 Удалить раздел (вопросы останутся)
faq-admin-pick-category = В какой раздел добавить вопрос?
faq-admin-no-category = Без раздела
faq-admin-ask-category = Пришлите название раздела (до { $limit ->
        [one] { $limit } символа
       *[other] { $limit } символов
    }).
faq-admin-ask-question = Пришлите вопрос (до { $limit ->
        [one] { $limit } символа
       *[other] { $limit } символов
    }).
faq-admin-ask-answer = Пришлите ответ (до { $limit ->
        [one] { $limit } символа
       *[other] { $limit } символов
    }).
faq-admin-category-added = Раздел «{ $title }» добавлен.
faq-admin-category = 📂 <b>{ $title }</b>: вопросов — { $entries }.
faq-admin-saved = Сохранено.
faq-admin-deleted = Удалено.
faq-admin-confirm-delete = Удалить этот вопрос? Участники перестанут его видеть.
faq-admin-cancelled = Изменения не сохранены.
faq-error-category-empty = Название раздела пустое. Пришлите текст.
faq-error-category-long = Название слишком длинное: { $length ->
        [one] { $length } символ
        [few] { $length } символа
       *[many] { $length } символов
    }, можно до { $limit }.
faq-error-category-exists = Раздел «{ $title }» уже есть. Придумайте другое название.
faq-error-category-gone = Этого раздела больше нет. Начните заново.
faq-error-question-empty = Вопрос пустой. Пришлите текст вопроса.
faq-error-question-long = Вопрос слишком длинный: { $length ->
        [one] { $length } символ
        [few] { $length } символа
       *[many] { $length } символов
    }, можно до { $limit }. Сократите и пришлите снова.
faq-error-answer-empty = Ответ пустой. Пришлите текст ответа.
faq-error-answer-long = Ответ слишком длинный: { $length ->
        [one] { $length } символ
        [few] { $length } символа
       *[many] { $length } символов
    }, можно до { $limit }. Сократите и пришлите снова.
