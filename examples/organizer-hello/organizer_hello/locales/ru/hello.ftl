hello-menu = 👋 Помахать
hello-waved = Привет! Всего приветствий: { $count }.
hello-too-many = Спасибо, но приветствий уже { $count } — хватит на сегодня.
hello-admin = 👋 Приветствия
hello-admin-stats = Приветствий в мероприятии: { $count }. Последнее: { $last }.
hello-not-allowed = Это только для организаторов мероприятия.
