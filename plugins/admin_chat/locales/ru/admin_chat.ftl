admin_chat-menu = ❓ Вопрос организаторам
admin_chat-admin-tickets = 📨 Обращения
admin_chat-admin-room = 💬 Чат организаторов
admin_chat-admin-dashboard = 📊 Сводка
admin_chat-admin-plugins = 🧩 Разделы бота
admin_chat-admin-roles = 👥 Роли
admin_chat-admin-export = 📄 Выгрузка участников

admin_chat-ask-prompt = Напишите вопрос организаторам одним сообщением — можно с фото или файлом. Ответ придёт сюда же.
admin_chat-btn-cancel = Отмена
admin_chat-cancelled = Хорошо, ничего не отправил.
admin_chat-accepted = ✅ Обращение №{ $ticket } передано организаторам. Ответ придёт в этот чат.
admin_chat-added = ✅ Добавил к обращению №{ $ticket }. Организаторы увидят.
admin_chat-error-kind = Я передаю организаторам текст, фото и документы. Пришлите, пожалуйста, одно из них.
admin_chat-error-empty = Сообщение пустое — напишите, пожалуйста, вопрос текстом.
admin_chat-error-too-long = Слишком длинно: { $length ->
        [one] { $length } символ
        [few] { $length } символа
       *[many] { $length } символов
    } при пределе { $limit }. Сократите или разбейте на части.
admin_chat-error-not-member = Сначала выберите мероприятие: /start
admin_chat-no-ticket = Такого обращения нет.
admin_chat-ticket-forgotten = Участник удалил свои данные — ответить ему уже нельзя.
admin_chat-draft-gone = Этот вопрос уже отправлен или устарел. Напишите его ещё раз.
admin_chat-btn-ask-this = ❓ Спросить организаторов
admin_chat-answer-head = 💬 <b>Ответ организаторов</b> · обращение №{ $ticket }
admin_chat-btn-write-back = ↩ Ответить
admin_chat-btn-solved = ✓ Вопрос решён
admin_chat-write-back-prompt = Напишите, что добавить к обращению №{ $ticket }.
admin_chat-solved = Обращение №{ $ticket } закрыто. Если появится вопрос — просто напишите.

admin_chat-relay-head = 📨 <b>Обращение №{ $ticket }</b> · { $name }
admin_chat-digest-head = 📨 <b>Новые сообщения в { $count } обращениях</b> — нажмите номер, чтобы ответить:
admin_chat-digest-line = №{ $ticket } · { $name }: { $text }
admin_chat-digest-more = …и ещё { $count } — в следующем сообщении.
admin_chat-media-photo = [фото]
admin_chat-media-document = [файл]
admin_chat-btn-reply = ↩ Ответить
admin_chat-btn-close = ✓ Закрыть
admin_chat-btn-reopen = ↺ Открыть снова
admin_chat-card-head = 📨 <b>Обращение №{ $ticket }</b> · { $name } · { $status }
admin_chat-status-open = ждёт ответа
admin_chat-status-answered = отвечено
admin_chat-status-closed = закрыто
admin_chat-from-participant = Участник
admin_chat-reply-prompt = ✍️ Напишите ответ <b>ответом на это сообщение</b> — участник получит его от имени организаторов.
admin_chat-answer-sent = ✓ Ответ по №{ $ticket } отправлен участнику ({ $name }).
admin_chat-taken-note = ✓ На обращение №{ $ticket } ответил(а) { $name }: { $text }
admin_chat-closed = Обращение №{ $ticket } закрыто.
admin_chat-reopened = Обращение №{ $ticket } снова открыто.

admin_chat-bind-which = Какое мероприятие привязать? Напишите /bind &lt;код мероприятия&gt;.
admin_chat-bind-taken = Эта группа уже привязана к мероприятию «{ $event }». Сначала /unbind там.
admin_chat-bound = Готово: вопросы участников «{ $event }» будут приходить сюда. Отвечайте ответом (reply) на сообщение с обращением.
admin_chat-bound-forum = Готово: вопросы участников «{ $event }» будут приходить сюда, каждое обращение — отдельной темой. Отвечайте прямо в теме. Боту нужны права администратора с управлением темами.
admin_chat-unbound = Группа отвязана от «{ $event }». Вопросы снова приходят организаторам в личные сообщения.

admin_chat-btn-back = ← Панель
admin_chat-tickets-title = 📨 <b>Обращения</b>
admin_chat-tickets-group = Приходят в группу «{ $title }».
admin_chat-tickets-nogroup = Группа не привязана: обращения приходят каждому организатору в личку. Чтобы получать их в группе, добавьте бота в группу и напишите там /bind.
admin_chat-tickets-open = <b>Ждут ответа: { $count }</b>
admin_chat-tickets-answered = <b>Отвечены, не закрыты: { $count }</b>
admin_chat-tickets-line = №{ $ticket } · { $name } · { $hours } ч { $minutes } мин

admin_chat-room-title = 💬 <b>Чат организаторов</b> — видят только организаторы.
admin_chat-room-prompt = Напишите сообщение — его получат все остальные организаторы.
admin_chat-room-in-group = Организаторы общаются в группе «{ $title }».
admin_chat-btn-room-leave = Выйти из чата
admin_chat-btn-room-answer = ↩ Ответить в чате
admin_chat-room-left = Вы вышли из чата организаторов.
admin_chat-room-text-only = В чат организаторов можно писать только текстом.
admin_chat-room-sent = Отправлено организаторам: { $count }.
admin_chat-room-line = 💬 <b>{ $name }</b> (чат организаторов): { $text }

admin_chat-dash-title = 📊 <b>Сводка</b> — { $event }
admin_chat-dash-people = 👥 Участников: { $members }, зарегистрировались: { $registered }, сегодня присоединились: { $today }, организаторов: { $organizers }
admin_chat-dash-tickets = 📨 Обращения: ждут ответа { $open }, отвечены { $answered }, закрыты { $closed }
admin_chat-dash-news = 📣 Последние рассылки:
admin_chat-dash-news-line = • { $title }: доставлено { $sent } из { $total }, ошибок { $failed }, заблокировали { $blocked }
admin_chat-btn-refresh = ↻ Обновить

admin_chat-plugins-title = 🧩 <b>Разделы бота</b> для этого мероприятия. Нажмите, чтобы включить или выключить; действует со следующего нажатия участника.
admin_chat-plugins-line = { $mark } { $name } — { $source }
admin_chat-plugins-config = как в настройках
admin_chat-plugins-override = изменено в панели
admin_chat-btn-plugins-reset = Вернуть как в настройках
admin_chat-plugins-unknown = Нет раздела «{ $name }».
admin_chat-plugins-self = Панель нельзя выключить из самой панели: тогда её не вернуть. Выключите в файле настроек.

admin_chat-roles-ask = Кого ищем? Напишите часть имени или @username участника.
admin_chat-roles-short = Напишите хотя бы две буквы имени.
admin_chat-roles-none = Никого не нашёл. Попробуйте другую часть имени.
admin_chat-roles-found = Кому изменить роль?
admin_chat-roles-pick = Какую роль дать: { $name }?
admin_chat-roles-confirm = { $name } получит роль «{ $role }». Подтвердить?
admin_chat-btn-confirm = ✓ Подтвердить
admin_chat-roles-done = Готово: { $name } — { $role }.
admin_chat-roles-last = Нельзя снять последнего организатора: сначала назначьте другого.
admin_chat-roles-config-admin = Этот организатор указан в файле настроек (admins) — снимите его там.
admin_chat-roles-no-member = Этот человек не участвует в мероприятии.
admin_chat-roles-unknown = Нет роли «{ $role }».

admin_chat-export-caption = Участники: { $count }. Ответы анкеты и время согласия на обработку данных.
