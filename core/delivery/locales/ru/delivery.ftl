delivery-broadcast-summary = Рассылка «{ $title }» завершена.
    Доставлено: { $sent } из { $total }
    Не доставлено: { $failed }
    Заблокировали бота: { $blocked }
delivery-broadcast-reasons = Причины ошибок:
