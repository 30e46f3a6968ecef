polls-menu = 📊 Опросы
polls-admin-menu = 📊 Опросы и голосования
polls-home = 📊 <b>Опросы</b>: последних — { $count }. Откройте опрос, чтобы увидеть результаты, или создайте новый.
polls-btn-new = ➕ Создать опрос
polls-btn-back = ⬅️ Панель организатора
polls-btn-home = 📊 К опросам
polls-btn-cancel = Отмена
polls-btn-when = ⏰ Время закрытия
polls-btn-no-when = Без времени закрытия
polls-btn-preview = 👁 Предпросмотр
polls-btn-edit = ✏️ Изменить настройки
polls-btn-pin = 📌 Не рассылать, закрепить в меню «Опросы»
polls-btn-send-to = Отправить: { $audience } ({ $people ->
        [one] { $people } человек
        [few] { $people } человека
       *[many] { $people } человек
    })
polls-btn-results = 📈 Результаты
polls-btn-close = 🔒 Закрыть опрос
polls-btn-csv = ⬇️ Выгрузить CSV
polls-ask-question = Пришлите вопрос опроса (до { $limit ->
        [one] { $limit } символа
       *[other] { $limit } символов
    }).
polls-ask-options = Пришлите варианты ответа, каждый с новой строки: от { $min } до { $max }.
polls-ask-when = Когда закрыть опрос? Пришлите дату и время в часовом поясе мероприятия ({ $tz }): <code>25.12 18:30</code>, <code>25.12.2026 18:30</code> или просто <code>18:30</code> (сегодня).
polls-settings = <b>Опрос:</b> { $question }
    Вариантов: { $options }. Закрытие: { $when }.
    Настройте и нажмите «Предпросмотр».
polls-when-none = вручную
polls-opt-multiple = Можно выбрать несколько вариантов
polls-opt-anonymous = Анонимный
polls-opt-changeable = Можно изменить голос
polls-opt-show-results = Показывать результаты проголосовавшим
polls-opt-publish-results = Разослать итоги при закрытии
polls-confirm = Так опрос увидят участники. Кому отправить?
polls-sent = Опрос поставлен в очередь для { $people ->
        [one] { $people } человека
       *[other] { $people } человек
    }. Результаты обновляются сами.
polls-pinned = Опрос закреплён в меню «Опросы».
polls-cancelled = Опрос не создан.
polls-nothing-to-send = Этот черновик уже отправлен или отменён.
polls-gone = Этого опроса больше нет.
polls-csv-caption = Результаты опроса (CSV).
polls-audience-all = всем участникам
polls-kind = { $multiple ->
    [true] Можно выбрать несколько вариантов
   *[other] Один вариант
 } · { $anonymous ->
    [true] анонимно
   *[other] не анонимно: организаторы видят, кто как голосовал
 }
polls-closes-at = Закроется { $when }.
polls-status-open = 🟢 Идёт голосование.
polls-status-closed = 🔒 Опрос закрыт, итоги окончательные.
polls-closed-note = 🔒 Опрос закрыт.
polls-result-line = { $option }: { $count }
    { $bar }
polls-voters = Проголосовали: { $count }
polls-your-choice = { $changeable ->
    [true] ✅ Ваш голос учтён. Можно изменить, нажав другой вариант.
   *[other] ✅ Ваш голос учтён.
 }
polls-final-title = 🏁 <b>Итоги опроса</b>
polls-list = 📊 Открытые опросы:
polls-list-empty = Сейчас открытых опросов нет.
polls-closed-now = Опрос закрыт.
polls-already-closed = Опрос уже был закрыт.
polls-vote-voted = Голос учтён.
polls-vote-changed = Голос изменён.
polls-vote-withdrawn = Вариант снят.
polls-vote-same = Вы уже выбрали этот вариант.
polls-vote-already = Вы уже проголосовали, а изменить голос в этом опросе нельзя.
polls-vote-closed = Опрос закрыт: голосовать уже нельзя.
polls-vote-not_found = Этого опроса больше нет.
polls-error-question-empty = Вопрос пустой. Пришлите текст вопроса.
polls-error-question-long = Вопрос слишком длинный: { $length ->
        [one] { $length } символ
        [few] { $length } символа
       *[many] { $length } символов
    }, можно до { $limit }. Сократите и пришлите снова.
polls-error-options-none = Нет ни одного варианта. Пришлите от { $min } до { $max } вариантов, каждый с новой строки.
polls-error-option-empty = Вариант { $number } пустой. Уберите пустую строку или впишите текст, и пришлите варианты снова.
polls-error-option-long = Вариант { $number } слишком длинный: { $length ->
        [one] { $length } символ
        [few] { $length } символа
       *[many] { $length } символов
    }, можно до { $limit }.
polls-error-option-duplicate = Вариант «{ $option }» повторяется (строки { $first } и { $number }). Варианты должны различаться.
polls-error-options-few = Вариантов { $count }, нужно хотя бы { $min }. Пришлите каждый с новой строки.
polls-error-options-many = Вариантов { $count }, можно не больше { $max }. Уберите лишние и пришлите снова.
polls-error-when-format = Не понял время. Пришлите, например, <code>25.12 18:30</code> или <code>18:30</code>.
polls-error-when-past = Это время уже прошло (сейчас { $now }). Пришлите время в будущем.
polls-error-when-passed = Время закрытия прошло, пока вы настраивали опрос. Выберите новое.
polls-error-audience-gone = Этой группы больше нет. Выберите другую.
