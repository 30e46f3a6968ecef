probe-menu = Проба
probe-admin = Проба (организатор)
probe-answer = Проба ответила: { $plugin }
probe-cmd = Команда пробы
probe-profile-title = Проба в кабинете
