## Schedule: participants
schedule-menu = 🗓 Программа
schedule-home-title = 🗓 <b>Программа — { $event }</b> (сейчас { $now })
schedule-program-empty = Программа пока не опубликована. Загляните позже.
schedule-now = <b>▶️ Сейчас</b>
schedule-next = <b>⏭ Дальше</b>
schedule-none = —
schedule-more = …и ещё { $count }
schedule-btn-home = 🗓 К программе
schedule-btn-today = Сегодня
schedule-btn-days = По дням
schedule-btn-tracks = По трекам
schedule-btn-rooms = По залам
schedule-btn-my = ⭐ Моё расписание
schedule-btn-reminders = ⏰ Напоминания
schedule-btn-prev = ‹ Назад
schedule-btn-next = Вперёд ›
schedule-btn-open = Открыть карточку
schedule-btn-bookmark = 🔖 В моё расписание
schedule-btn-unbookmark = ✖️ Убрать из моего расписания
schedule-btn-ics = 📅 Скачать .ics
schedule-today-none = Сегодня в программе ничего нет.
schedule-days-title = 📆 Выберите день:
schedule-tracks-title = 🧭 Выберите трек:
schedule-rooms-title = 📍 Выберите зал:
schedule-groups-none-t = Треков в программе нет.
schedule-groups-none-r = Залы в программе не указаны.
schedule-day-title = 📆 <b>{ $day }</b>
schedule-group-title = <b>{ $name }</b>
schedule-page = стр. { $page }/{ $pages }
schedule-day = { $weekday }, { $date }
schedule-wd-0 = пн
schedule-wd-1 = вт
schedule-wd-2 = ср
schedule-wd-3 = чт
schedule-wd-4 = пт
schedule-wd-5 = сб
schedule-wd-6 = вс
schedule-kind-talk = Доклад
schedule-kind-keynote = Ключевой доклад
schedule-kind-break = Перерыв
schedule-kind-deadline = Дедлайн
schedule-kind-other = Событие
schedule-card-when = 🕒 { $when }
schedule-card-room = 📍 { $room }
schedule-card-track = 🧭 { $track }
schedule-card-speaker = 🎤 { $speaker }
schedule-card-cancelled = ❌ <b>Отменено</b>
schedule-card-bookmarked = 🔖 В вашем расписании — напомним перед началом.
schedule-bookmarked = Добавлено в ваше расписание
schedule-unbookmarked = Убрано из вашего расписания
schedule-not-found = Такого пункта программы нет (возможно, его отменили).
schedule-clash = ⚠️ пересечение
schedule-my-title = ⭐ <b>Моё расписание — { $event }</b>
schedule-my-empty = В вашем расписании пока пусто. Откройте программу и нажмите «🔖 В моё расписание» у интересных пунктов.
schedule-my-clashes = ⚠️ Пересекаются по времени: { $count }
schedule-my-kind-workshop = мастер-класс
schedule-ics-caption = 📅 Ваше расписание ({ $count }). Повторный импорт обновит события, а не задвоит их.
schedule-reminder = ⏰ Через { $minutes } мин: «{ $title }»
schedule-profile-title = ⏰ Напоминания
schedule-rem-title = ⏰ <b>Напоминания</b> о ваших пунктах программы и мастер-классах
    Сейчас: { $current }
schedule-rem-off = выключены
schedule-rem-one = за { $minutes } мин до начала
schedule-rem-all = включены (за { $minutes } мин)
schedule-rem-btn-minutes = За { $minutes } мин
schedule-rem-btn-all = Как у всех
schedule-rem-btn-off = 🔕 Выключить
schedule-rem-saved = Сохранено
schedule-news-audience = 🔖 «{ $title }» ({ $when })

## Published changes
schedule-digest-title = 🔔 <b>Изменения в программе — { $event }</b>
schedule-digest-more = …и ещё изменений: { $count }. Откройте «Моё расписание».
schedule-change-title = <b>«{ $title }»</b>
schedule-change-new = 🆕 Новый пункт: { $when }
schedule-change-cancelled = ❌ Отменено
schedule-change-restored = ✅ Снова в программе
schedule-change-moved = 🕒 Время: было { $old }, стало { $new }
schedule-change-room = 📍 Зал: был { $old }, стал { $new }
schedule-change-speakers = 🎤 Спикеры: были { $old }, стали { $new }
schedule-change-renamed = ✏️ Новое название: «{ $new }»
schedule-change-details = ✏️ Обновлено описание
schedule-change-workshop = 🛠 Мастер-класс <b>«{ $title }»</b>, на который вы записаны
schedule-change-workshop-cancelled = ❌ Отменён ({ $when }), ваша запись снята
schedule-change-place = 📍 Место: было { $old }, стало { $new }

## Speakers
schedule-speaker-claimed = 🎤 Готово: вы — спикер «{ $name }». Ваши выступления — в «Моём расписании».
schedule-speaker-link-used = Эта ссылка спикера уже использована. Попросите организаторов прислать новую.
schedule-speaker-link-unknown = Ссылка спикера не найдена. Проверьте её или попросите организаторов прислать новую.

## Organizers
schedule-admin-menu = 🗓 Программа
schedule-admin-home = 🗓 <b>Программа</b>
    Пунктов: { $sessions }; неопубликованных изменений: { $pending }.
    { $drafts }
schedule-admin-drafts-on = Правки копятся в черновике до «Опубликовать изменения».
schedule-admin-drafts-off = Черновики выключены: каждая правка публикуется сразу.
schedule-admin-btn-home = 🗓 Программа (организатор)
schedule-admin-btn-new = ➕ Новый пункт
schedule-admin-btn-list = 📋 Все пункты
schedule-admin-btn-publish = 📣 Опубликовать изменения ({ $count })
schedule-admin-btn-publish-go = ✅ Опубликовать и уведомить ({ $people })
schedule-admin-btn-speakers = 🎤 Ссылки для спикеров
schedule-admin-btn-back = ⬅️ В админ-меню
schedule-admin-btn-abort = Отмена
schedule-admin-btn-save = 💾 Сохранить
schedule-admin-btn-cancel-session = ❌ Отменить пункт
schedule-admin-btn-cancel-yes = Да, отменить
schedule-admin-ask-form = Пришлите пункт программы, по полю в строке (время — { $timezone }):
    <code>Название
    2026-03-12 10:00
    11:30 (конец; или минуты; «-» для дедлайна)
    Зал (или -)
    Спикеры через запятую (или -)
    Тип: talk, keynote, break, deadline, other (необязательно)
    Трек (необязательно)</code>
schedule-admin-ask-title = Пришлите новое название.
schedule-admin-ask-time = Пришлите новое начало (2026-03-12 10:00) и, второй строкой, конец (11:30, минуты или «-»). Без второй строки длительность сохранится.
schedule-admin-ask-room = Пришлите зал (или «-», чтобы убрать).
schedule-admin-ask-speakers = Пришлите спикеров через запятую, как в программе (или «-»).
schedule-admin-ask-description = Пришлите описание (или «-», чтобы убрать).
schedule-admin-field-title = Название
schedule-admin-field-time = Время
schedule-admin-field-room = Зал
schedule-admin-field-speakers = Спикеры
schedule-admin-field-description = Описание
schedule-admin-preview = 👀 <b>Предпросмотр.</b> Сохранить?
schedule-admin-saved = ✅ Сохранено и опубликовано.
schedule-admin-saved-draft = ✅ Сохранено в черновик. Участники узнают после «Опубликовать изменения».
schedule-admin-nothing = Нечего сохранять.
schedule-admin-aborted = Отменено, ничего не сохранено.
schedule-admin-unpublished = 📝 <i>Черновик: ещё не опубликован</i>
schedule-admin-drafted = ✏️ <i>Есть неопубликованные изменения</i>
schedule-admin-list = 📋 Пункты программы: { $count }
schedule-admin-cancel-confirm = Отменить «{ $title }»? Участники, добавившие пункт, узнают об этом при публикации.
schedule-admin-publish-none = Неопубликованных изменений нет.
schedule-admin-publish-preview = 📣 <b>Изменений: { $changes }.</b> Уведомим участников: { $people } (каждый получит одно сообщение со всеми своими изменениями).
schedule-admin-publish-held = 🛠 Из них изменений мастер-классов: { $count } — они уже сохранены и войдут в ту же рассылку.
schedule-admin-held-title = 🛠 Мастер-класс <b>«{ $title }»</b>
schedule-admin-published = ✅ Опубликовано изменений: { $changes }. Уведомлений в очереди: { $people }.
schedule-admin-speakers = 🎤 Спикеры: { $count }. Нажмите на спикера, чтобы получить одноразовую ссылку (✅ — уже привязан).
schedule-admin-link = Одноразовая ссылка для спикера (перешлите её лично):
    { $link }

## Errors
schedule-error-prefix = ⚠️ { $reason } Ничего не сохранено — исправьте и пришлите снова.
schedule-error-title-empty = Название не может быть пустым.
schedule-error-too-long = Слишком длинно: { $length ->
        [one] { $length } символ
        [few] { $length } символа
       *[many] { $length } символов
    }, можно не больше { $limit }.
schedule-error-kind = Неизвестный тип; возможные: { $kinds }.
schedule-error-end-missing = Укажите конец (только у дедлайна его может не быть).
schedule-error-end-before-start = Конец должен быть позже начала.
schedule-error-too-long-duration = Пункт не может длиться больше { $hours } ч.
schedule-error-room-busy = Зал «{ $room }» в это время занят: «{ $title }».
schedule-error-speaker-unknown = Спикер «{ $speaker }» не найден; сначала добавьте его в программу.
schedule-error-datetime = Не понял дату и время; пример: { $example }.
schedule-error-end-format = Не понял конец: «11:30», число минут, дата и время или «-».
schedule-error-form = Нужны как минимум 4 строки: название, начало, конец, зал (и не больше 7).
schedule-error-not-found = Такого пункта нет.
schedule-error-key = Ключ обязателен: латиница, цифры и _.:- (до { $limit ->
        [one] { $limit } символа
       *[other] { $limit } символов
    }).
schedule-error-program-item = Ожидался набор полей.
schedule-error-program-fields = Неизвестные поля: { $fields }.
schedule-error-program-missing = Не хватает поля { $field }.
schedule-error-program-duplicate = Этот ключ уже встречался выше.
schedule-error-duration = duration_minutes должно быть числом.
schedule-error-username = Имя в Telegram: 4–32 латинских буквы, цифры или _.
schedule-error-lead = Можно выбрать только: { $options } мин.

## More editable fields
schedule-admin-ask-track = Пришлите трек (или «-», чтобы убрать).
schedule-admin-ask-kind = Пришлите тип: talk, keynote, break, deadline или other.
schedule-admin-ask-forall = Напоминать всем участникам, а не только добавившим пункт? Ответьте «да» или «нет».
schedule-admin-field-track = Трек
schedule-admin-field-kind = Тип
schedule-admin-field-forall = Для всех
schedule-error-yes-no = Ответьте «да» или «нет».
