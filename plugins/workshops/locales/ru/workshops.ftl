## Workshops: participants
workshops-menu = 🎓 Мастер-классы
workshops-list-title = 🎓 <b>Мастер-классы</b>
workshops-list-empty = Мастер-классов пока нет. Загляните позже.
workshops-list-line = { $start }–{ $end } · { $title } — { $seats }
workshops-list-booked = ✅ вы записаны
workshops-list-free = { $free ->
    [one] { $free } место
    [few] { $free } места
   *[other] { $free } мест
}
workshops-list-full = мест нет
workshops-page = { $page }/{ $pages }
workshops-btn-prev = ‹ Назад
workshops-btn-next = Вперёд ›
workshops-btn-book = ✍️ Записаться
workshops-btn-queue = ⏳ Встать в лист ожидания
workshops-btn-cancel = ❌ Отменить запись
workshops-btn-back-list = ⬅️ К списку
workshops-card-speaker = 🎤 { $speaker }
workshops-card-when = 🕒 { $when }
workshops-card-place = 📍 { $place }
workshops-seats-free = 💺 Свободно мест: { $free } из { $capacity }
workshops-seats-none = { $capacity ->
        [one] 💺 Мест нет (занято { $capacity } место из { $capacity })
        [few] 💺 Мест нет (заняты все { $capacity } места)
       *[other] 💺 Мест нет (заняты все { $capacity } мест)
    }
workshops-card-booked = ✅ Вы записаны.
workshops-card-started = Мастер-класс уже начался.
workshops-card-closed = Запись закрыта.
workshops-booked = ✅ Вы записаны на «{ $title }».
workshops-booked-clash-warning = ⚠️ Внимание: пересекается с «{ $other }» ({ $day }, { $start }–{ $end }).
workshops-already-booked = Вы уже записаны на «{ $title }».
workshops-clash = ⛔ Не записали: пересекается с вашей записью на «{ $other }» ({ $day }, { $start }–{ $end }). Сначала отмените ту запись.
workshops-full = Мест нет.
workshops-booking-closed = Запись на этот мастер-класс закрыта.
workshops-started = Мастер-класс уже начался — запись и отмена недоступны.
workshops-gone = Этого мастер-класса больше нет.
workshops-cancelled = Запись на «{ $title }» отменена. Место передано следующему в листе ожидания, если он есть.
workshops-not-booked = Вы не были записаны на «{ $title }».
workshops-cancel-started = Мастер-класс уже начался — отменить запись нельзя.
workshops-toast-booked = Вы записаны!
workshops-toast-already = Вы уже записаны.
workshops-toast-clash = Пересечение по времени — не записали.
workshops-toast-cancelled = Запись отменена.
workshops-toast-not-booked = Вы не были записаны.
workshops-toast-cancel-started = Уже началось — отменить нельзя.
workshops-toast-gone = Этого мастер-класса больше нет.
workshops-profile-title = 🎓 Мои мастер-классы
workshops-profile-none = Вы пока никуда не записаны.
workshops-profile-line = • { $title } — { $when }
workshops-notice-changed = 🔔 Изменения в мастер-классе «{ $title }», на который вы записаны:
workshops-notice-changed-time = Время: было { $old }, стало <b>{ $new }</b>
workshops-notice-changed-place = Место: было { $old }, стало <b>{ $new }</b>
workshops-notice-cancelled = ❗ Мастер-класс «{ $title }» ({ $when }) отменён. Ваша запись снята.
workshops-reminder = ⏰ Напоминание: вы записаны на мастер-класс «{ $title }».
    Когда: <b>{ $when }</b>
    Где: <b>{ $place }</b>
workshops-reminder-open = Открыть карточку
workshops-news-audience = 🎓 { $when } «{ $title }»

## Workshops: organizers
workshops-admin-menu = 🎓 Мастер-классы
workshops-admin-title = 🎓 <b>Мастер-классы</b> — всего { $count }
workshops-admin-line = • { $title } — { $when }: записано { $booked } из { $capacity }, ждут ответа на предложение: { $held }
workshops-admin-seats = 💺 Записано: { $booked } из { $capacity }; место держится для ответа: { $held }; в листе ожидания: { $waiting }
workshops-admin-capacity = 💺 Мест: { $capacity }
workshops-admin-key = Ключ в файле программы: <code>{ $program_key }</code>
workshops-admin-btn-new = ➕ Новый мастер-класс
workshops-admin-btn-csv-all = 📄 CSV: все записи
workshops-admin-btn-csv = 📄 CSV
workshops-admin-btn-back = ⬅️ Панель организатора
workshops-admin-btn-list = ⬅️ К мастер-классам
workshops-admin-btn-back-ws = ⬅️ К мастер-классу
workshops-admin-btn-attendees = 👥 Участники
workshops-admin-btn-waitlist = ⏳ Лист ожидания
workshops-admin-btn-delete = 🗑 Удалить
workshops-admin-btn-delete-yes = 🗑 Да, удалить
workshops-admin-btn-no = Нет
workshops-admin-btn-save = ✅ Сохранить
workshops-admin-btn-abort = ✖️ Отмена
workshops-admin-edit-title = ✏️ Название
workshops-admin-edit-speaker = ✏️ Спикер
workshops-admin-edit-place = ✏️ Место
workshops-admin-edit-description = ✏️ Описание
workshops-admin-edit-time = ✏️ Время
workshops-admin-edit-capacity = ✏️ Число мест
workshops-admin-attendees = 👥 <b>Участники «{ $title }»</b>: { $count }
workshops-admin-queue = ⏳ <b>Лист ожидания «{ $title }»</b>: { $count }
workshops-admin-queue-offered = ⏱ ждём ответа:
workshops-admin-came = ✅ { $came ->
        [one] Пришёл { $came } человек
        [few] Пришли { $came } человека
       *[many] Пришли { $came } человек
    } из { $booked ->
        [one] { $booked } записавшегося
       *[other] { $booked } записавшихся
    }
workshops-admin-came-at = — ✅ на месте с { $time }
workshops-admin-nobody = Пока никого.
workshops-admin-csv-caption = Выгрузка записей (CSV, открывается в Excel и Google Таблицах).
workshops-admin-delete-confirm = Удалить «{ $title }»? Записано: { $booked }. Участники и лист ожидания получат уведомление об отмене.
workshops-admin-deleted = Мастер-класс «{ $title }» удалён. Уведомлений отправлено: { $told }.
workshops-create-intro = ➕ <b>Новый мастер-класс.</b> Отвечайте по шагам; ничего не сохранится, пока вы не нажмёте «Сохранить».
workshops-create-preview = 👀 <b>Проверьте</b> и нажмите «Сохранить»:
workshops-create-aborted = Создание отменено, ничего не сохранено.
workshops-create-fix-start = Введите время начала заново.
workshops-created = ✅ Мастер-класс «{ $title }» создан.
workshops-edit-intro = ✏️ Изменение «{ $title }».
workshops-saved = ✅ Сохранено.
workshops-notified = Участникам отправлено уведомление: { $count }.
workshops-notified-joined = Из них в общей сводке изменений программы: { $count }.
workshops-capacity-changed = ✅ Мест теперь { $new } (было { $old }).
workshops-try-again = Попробуйте ещё раз.
workshops-ask-title = Название (до 200 символов):
workshops-ask-speaker = Спикер (или «Пропустить»):
workshops-ask-place = Место — аудитория, зал (или «Пропустить»):
workshops-ask-description = Описание (до 2000 символов, или «Пропустить»):
workshops-ask-starts = Когда начало? Дата и время по времени мероприятия ({ $tz }), например <code>5 декабря 10:00</code>, <code>завтра в 10:00</code> или <code>2026-03-12 10:00</code>.
workshops-ask-ends = Когда окончание? Например, <code>11:30</code>, <code>90</code> (минут) или <code>5 декабря 18:00</code>.
workshops-ask-capacity = Сколько мест? Целое число, например <code>20</code>.
workshops-error-title-empty = Название не может быть пустым.
workshops-error-too-long = Слишком длинно: { $length ->
        [one] { $length } символ
        [few] { $length } символа
       *[other] { $length } символов
    }, можно не больше { $limit }.
workshops-error-datetime = Не понял дату и время. Напишите день и время, например <code>5 декабря 10:00</code> или { $example }.
workshops-error-end-format = Не понял окончание. Напишите время (<code>11:30</code>), длительность в минутах (<code>90</code>) или дату и время (<code>5 декабря 18:00</code>).
workshops-error-in-past = Это время уже прошло. Укажите дату и время в будущем.
workshops-error-end-before-start = Окончание должно быть позже начала.
workshops-error-too-long-duration = Мастер-класс не может длиться дольше { $hours } ч.
workshops-error-capacity-number = Количество мест — целое число, например 20.
workshops-error-capacity-range = Мест должно быть от 1 до { $limit }.
workshops-error-capacity-below = Нельзя сделать { $capacity } { $capacity ->
        [one] место
        [few] места
       *[other] мест
    }: уже записано { $booked }{ $held ->
        [0] {""}
        [one] , и ещё { $held } место держится для ответа из листа ожидания
        [few] , и ещё { $held } места держатся для ответа из листа ожидания
       *[other] , и ещё { $held } мест держатся для ответа из листа ожидания
    }. Минимум — { $minimum }.
workshops-error-not-found = Мастер-класс не найден — возможно, его удалили.
workshops-error-not-text = Ответьте, пожалуйста, текстом.
workshops-error-key = Нужен ключ (key): латиница, цифры, «-», «_», «.», «:», до { $limit ->
        [one] { $limit } символа
       *[other] { $limit } символов
    }.
workshops-error-program-item = Ожидался набор полей мастер-класса (key, title, starts_at, ...).
workshops-error-program-fields = Неизвестные поля: { $fields }.
workshops-error-program-missing = Не хватает поля «{ $field }».
workshops-error-program-duplicate = Такой key уже встречался в файле выше.
workshops-dashboard-line = 🎓 { $title }: занято { $booked } из { $capacity }
