hello-menu = 👋 Помахать
hello-waved = Привет! Всего приветствий: { $count }.
hello-too-many = Спасибо, но приветствий уже { $count } — хватит на сегодня.
