questions-menu = ❔ Вопросы спикерам
questions-speaker-menu = 🎤 Вопросы ко мне
questions-admin-menu = ❔ Вопросы спикерам (модерация)
questions-list-title = ❔ <b>Вопросы спикерам</b> — самые поддержанные сверху. Нажмите 👍 с номером, чтобы поддержать вопрос (ещё раз — снять голос).
questions-list-empty = Вопросов пока нет.
questions-line = { $n }. { $text } — 👍 { $votes }{ $answered ->
    [true] , ✅ отвечен
   *[other] {""}
 }{ $pending ->
    [true] , ⏳ на модерации
   *[other] {""}
 }
questions-by = ({ $author })
questions-anonymous = анонимно
questions-btn-ask = ✍️ Задать вопрос
questions-btn-ask-speaker = ✍️ Задать вопрос спикеру
questions-btn-session-questions = ❔ Вопросы к докладу
questions-btn-cancel = Отмена
questions-btn-list = ❔ К вопросам
questions-btn-named = От своего имени
questions-btn-anonymous = Анонимно
questions-btn-publish = 👍 Опубликовать { $n }
questions-btn-answered = ✅ Отвечен { $n }
questions-btn-hide = 🙈 Скрыть { $n }
questions-btn-back-admin = ⬅️ Панель организатора
questions-ask = Напишите вопрос спикеру (до { $limit ->
        [one] { $limit } символа
       *[other] { $limit } символов
    }).
questions-how = Как отправить вопрос?
questions-sent-published = Вопрос опубликован. Другие участники могут его поддержать.
questions-sent-moderation = Вопрос отправлен организаторам: он появится в списке после проверки.
questions-cancelled = Вопрос не отправлен.
questions-nothing-to-send = Этот вопрос уже отправлен или отменён.
questions-queue-title = 🎤 <b>Вопросы</b> — по числу голосов. Отметьте отвеченные, скройте неуместные.
questions-upvote-upvoted = Голос отдан.
questions-upvote-withdrawn = Голос снят.
questions-upvote-own = За свой вопрос голосовать нельзя.
questions-upvote-gone = Этого вопроса больше нет.
questions-done-ans = Отмечен как отвеченный, автор получит уведомление.
questions-done-hide = Вопрос скрыт.
questions-done-pub = Вопрос опубликован.
questions-done-already = Это уже сделано.
questions-answered-notice = ✅ На ваш вопрос ответили: «{ $text }»
questions-error-empty = Вопрос пустой. Напишите текст вопроса.
questions-error-long = Вопрос слишком длинный: { $length ->
        [one] { $length } символ
        [few] { $length } символа
       *[many] { $length } символов
    }, можно до { $limit }. Сократите и пришлите снова.
questions-error-no-anonymous = На этом мероприятии анонимные вопросы выключены.
questions-btn-session-ratings = ⭐ Оценки доклада
questions-btn-ratings = ⭐ Оценки докладов
questions-btn-back-session = ⬅️ К докладу
questions-rate-prompt = ⭐ Как вам доклад «{ $title }»? Оцените от 1 до 5 — одним нажатием.
questions-rate-speakers = 🎤 { $speakers }
questions-rate-yours = Ваша оценка: { $stars } ({ $score }). Передумали — нажмите другую цифру.
questions-rate-closed-note = Оценки этого доклада закрыты.
questions-rate-recorded = Спасибо! Ваша оценка: { $score }.
questions-rate-changed = Оценка изменена: { $score }.
questions-rate-same = Вы уже поставили { $score }. Чтобы изменить, нажмите другую цифру.
questions-rate-closed = Оценки этого доклада уже закрыты, оценка не изменилась.
questions-rate-not-invited = Этот доклад оценивают те, кто добавил его в своё расписание: им приходит приглашение после доклада.
questions-rate-invalid = Оценка ставится от 1 до 5.
questions-ratings-title = ⭐ <b>Оценки докладов</b> — средняя оценка и сколько человек оценили.
questions-ratings-one-title = ⭐ <b>Оценка доклада</b>
questions-ratings-empty = Оценок пока нет: приглашения оценить доклад приходят его слушателям после окончания.
questions-ratings-line = { $n }. «{ $title }» — ⭐ { NUMBER($average, minimumFractionDigits: 1, maximumFractionDigits: 1) }, { $count ->
        [one] { $count } оценка
        [few] { $count } оценки
       *[many] { $count } оценок
    } из { $invited ->
        [one] { $invited } приглашённого
       *[other] { $invited } приглашённых
    }
questions-ratings-line-none = { $n }. «{ $title }» — оценок пока нет, { $invited ->
        [one] приглашён { $invited } человек
        [few] приглашены { $invited } человека
       *[many] приглашено { $invited } человек
    }
questions-ratings-not-allowed = Оценки доклада видят организаторы и спикер этого доклада.
