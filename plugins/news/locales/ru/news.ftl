news-admin-menu = 📣 Новости и рассылки
news-home = 📣 <b>Новости</b>
    В мероприятии { $people } { $people ->
        [one] человек
        [few] человека
       *[other] человек
    }. Новость можно отправить всем или группе — например, записанным на мастер-класс.
news-home-line = • «{ $title }»: доставлено { $sent } из { $total }, не доставлено { $failed }, заблокировали бота { $blocked }, в очереди { $pending }
news-btn-new = ✍️ Написать новость
news-btn-back = ⬅️ Панель организатора
news-btn-home = 📣 К новостям
news-btn-cancel = ✖️ Отмена
news-audience-all = Всем участникам
news-btn-again = ✏️ Написать заново
news-ask = Пришлите текст новости — можно с форматированием, или фото с подписью. Получателей выберете после предпросмотра (всего в мероприятии { $people } { $people ->
        [one] человек
        [few] человека
       *[other] человек
    }).
news-confirm = Так новость увидят участники. Кому отправить?
news-queued = 📣 Новость поставлена в очередь для { $people ->
        [one] { $people } человека
       *[other] { $people } человек
    }. Отчёт о доставке придёт, когда все сообщения будут отправлены.
news-cancelled = Новость не отправлена.
news-nothing-to-send = Нечего отправлять: эта новость уже отправлена или отменена.
news-error-kind = Новостью может быть текст или фото с подписью. Пришлите одно из них или нажмите «Отмена».
news-error-empty = Текст пустой. Пришлите текст новости.
news-error-too-long = Слишком длинно: { $length ->
        [one] { $length } символ
        [few] { $length } символа
       *[other] { $length } символов
    }, Telegram разрешает { $limit }. Сократите текст или разделите на две новости.
news-error-audience-gone = Этой группы больше нет (мастер-класс удалён или на него никто не записан). Выберите других получателей.
news-btn-audience = { $mark ->
        [yes] ✅ { $audience } · { $people }
       *[no] { $audience } · { $people }
    }
news-btn-send = 📤 Отправить ({ $people ->
        [one] { $people } человеку
       *[other] { $people } людям
    })
news-confirm-to = Отправить новость: <b>{ $audience }</b> — { $people } { $people ->
        [one] человек
        [few] человека
       *[other] человек
    }? Проверьте получателей и нажмите «Отправить».
news-header = 📣 <b>{ $event }</b> · от организаторов

## The participant's feed
news-menu = 📣 Новости
news-feed-empty = Новостей пока не было. Когда организаторы что-то напишут, это появится здесь.
news-feed-photo = 📷 (новость с фото — в чате выше)
news-feed-older = ‹ Раньше
news-feed-newer = Позже ›
