/* Pocket Organizer demo page: a small Telegram-like client for the local Bot API emulator.
 *
 * Safety rule: message content is never inserted as HTML. Text is rendered from Telegram's
 * `entities` into DOM nodes built with createElement/createTextNode; links are allowed only for
 * http(s), mailto and tel.
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------------------ page texts

  const TEXTS = {
    ru: {
      intro: "Это песочница: настоящий бот, эмулятор Telegram и база SQLite на вашем компьютере. Выберите человека и пишите боту как в Telegram.",
      split: "Два чата рядом", single: "Один чат", offline: "нет связи…",
      "pick-user": "Кто пишет боту", "add-user": "Добавить человека", name: "Имя",
      "tg-language": "Язык Telegram", role: "Роль в мероприятии", participant: "участник",
      organizer: "организатор", speaker: "спикер", cancel: "Отмена", create: "Добавить",
      commands: "Команды бота", attach: "Отправить фото или файл", message: "Сообщение",
      keyboard: "Показать/скрыть клавиатуру", send: "Отправить",
      "not-joined": "ещё не писал(а) боту", registered: "зарегистрирован(а)", "not-registered": "не зарегистрирован(а)",
      "make-organizer": "Сделать организатором", "make-participant": "Сделать участником",
      "role-changed": "Роль изменена: {role}", typing: "печатает…", edited: "изменено",
      "hint-title": "Начните с бота", "hint-text": "Отправьте ссылку-приглашение на мероприятие — как если бы вы открыли её в Telegram:",
      "hint-restored": "Демо перезапущено: бот помнит людей и их данные, а история чатов начинается заново.",
      "poll": "Опрос", "poll-anon": "Анонимный опрос", "quiz": "Викторина", "poll-closed": "Опрос завершён",
      "vote": "Голосовать", "retract": "Отменить голос", voters: "голосов: {n}",
      "shared-phone": "Поделились номером", "unsupported-button": "Эта кнопка в демо не поддерживается",
      "unsupported-message": "[сообщение этого типа демо не показывает]",
      "upload-failed": "Не удалось отправить файл", "send-failed": "Не удалось отправить",
      "copied": "Скопировано", "open-link": "Открыть ссылку?", "file": "Файл",
      "bot-no-answer": "Бот не ответил на нажатие",
    },
    en: {
      intro: "A sandbox: the real bot, a Telegram emulator and an SQLite database on your computer. Pick a person and write to the bot as in Telegram.",
      split: "Two chats side by side", single: "One chat", offline: "offline…",
      "pick-user": "Who is writing to the bot", "add-user": "Add a person", name: "Name",
      "tg-language": "Telegram language", role: "Role in the event", participant: "participant",
      organizer: "organizer", speaker: "speaker", cancel: "Cancel", create: "Add",
      commands: "Bot commands", attach: "Send a photo or a file", message: "Message",
      keyboard: "Show/hide the keyboard", send: "Send",
      "not-joined": "has not written to the bot yet", registered: "registered", "not-registered": "not registered",
      "make-organizer": "Make organizer", "make-participant": "Make participant",
      "role-changed": "Role changed: {role}", typing: "typing…", edited: "edited",
      "hint-title": "Start with the bot", "hint-text": "Send the event's invitation link, as if you opened it in Telegram:",
      "hint-restored": "The demo restarted: the bot remembers people and their data, chat history starts afresh.",
      "poll": "Poll", "poll-anon": "Anonymous poll", "quiz": "Quiz", "poll-closed": "Final results",
      "vote": "Vote", "retract": "Retract vote", voters: "{n} votes",
      "shared-phone": "Shared a phone number", "unsupported-button": "This button is not supported in the demo",
      "unsupported-message": "[the demo does not show this kind of message]",
      "upload-failed": "Could not send the file", "send-failed": "Could not send",
      "copied": "Copied", "open-link": "Open the link?", "file": "File",
      "bot-no-answer": "The bot did not answer the tap",
    },
  };

  const store = {
    get(key, fallback) {
      try { const v = localStorage.getItem("po-demo:" + key); return v === null ? fallback : JSON.parse(v); }
      catch (e) { return fallback; }
    },
    set(key, value) { try { localStorage.setItem("po-demo:" + key, JSON.stringify(value)); } catch (e) { /* private mode */ } },
  };

  let lang = store.get("lang", "ru") === "en" ? "en" : "ru";

  function t(key, vars) {
    let s = (TEXTS[lang] && TEXTS[lang][key]) || TEXTS.ru[key] || key;
    if (vars) for (const k of Object.keys(vars)) s = s.split("{" + k + "}").join(String(vars[k]));
    return s;
  }

  function applyTexts(root) {
    root.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    root.querySelectorAll("[data-i18n-title]").forEach((n) => { n.title = t(n.dataset.i18nTitle); n.setAttribute("aria-label", n.title); });
    root.querySelectorAll("[data-i18n-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.i18nPlaceholder); });
    root.querySelectorAll("[data-i18n-aria]").forEach((n) => { n.setAttribute("aria-label", t(n.dataset.i18nAria)); });
  }

  // ------------------------------------------------------------------------------ helpers

  function el(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  }

  // This run's API token, handed to the page in its HTML (the API refuses requests without it).
  const TOKEN = document.querySelector('meta[name="demo-token"]').content;
  function withToken(path) { return path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(TOKEN); }

  async function api(method, path, body) {
    const opts = { method, headers: { "X-Demo-Token": TOKEN } };
    if (body instanceof FormData) opts.body = body;
    else if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
    const resp = await fetch(path, opts);
    let data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    if (!resp.ok) throw new Error((data && data.error) || resp.status + " " + resp.statusText);
    return data;
  }

  function toast(text, kind) {
    const box = document.getElementById("toasts");
    const n = el("div", "toast" + (kind ? " " + kind : ""), text);
    box.appendChild(n);
    setTimeout(() => n.classList.add("gone"), 3200);
    setTimeout(() => n.remove(), 3700);
  }

  function alertBox(text) {
    const dlg = document.getElementById("alert-dialog");
    dlg.querySelector(".alert-text").textContent = text;
    if (!dlg.open) dlg.showModal();
  }

  function safeUrl(raw) {
    try {
      const u = new URL(raw, window.location.href);
      return ["http:", "https:", "mailto:", "tel:"].includes(u.protocol) ? u.href : null;
    } catch (e) { return null; }
  }

  function openUrl(raw) {
    const url = safeUrl(raw);
    if (url) window.open(url, "_blank", "noopener,noreferrer");
    else toast(raw, "warn");
  }

  function initials(name) { return (name || "?").trim().slice(0, 1).toUpperCase(); }

  function hue(id) { return (Number(id) * 47) % 360; }

  function clock(ts) {
    if (!ts) return "";
    const d = new Date(ts * 1000);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  // ------------------------------------------------------------------------------ entities → DOM

  // Offsets are UTF-16 code units, exactly what JavaScript string indices are.
  function renderEntities(text, entities, pane) {
    const frag = document.createDocumentFragment();
    const list = (entities || [])
      .filter((e) => e && e.length > 0 && e.offset >= 0 && e.offset < text.length)
      .map((e) => Object.assign({}, e))
      .sort((a, b) => a.offset - b.offset || b.length - a.length);
    build(frag, text, 0, text.length, list, pane);
    return frag;
  }

  function build(parent, text, start, end, list, pane) {
    let pos = start;
    const queue = list.slice();
    while (queue.length) {
      const e = queue.shift();
      if (e.offset < pos) continue; // overlaps what is already rendered
      const eEnd = Math.min(e.offset + e.length, end);
      if (e.offset >= eEnd) continue;
      if (e.offset > pos) parent.appendChild(document.createTextNode(text.slice(pos, e.offset)));
      const inner = [];
      const rest = [];
      for (const o of queue) {
        if (o.offset >= eEnd) { rest.push(o); continue; }
        const oEnd = o.offset + o.length;
        if (oEnd <= eEnd) inner.push(o);
        else { // crosses the boundary: split into the part inside and the part after
          inner.push(Object.assign({}, o, { length: eEnd - o.offset }));
          rest.push(Object.assign({}, o, { offset: eEnd, length: oEnd - eEnd }));
        }
      }
      rest.sort((a, b) => a.offset - b.offset || b.length - a.length);
      queue.length = 0;
      queue.push(...rest);
      const node = entityNode(e, text.slice(e.offset, eEnd), pane);
      build(node.content || node, text, e.offset, eEnd, inner, pane);
      parent.appendChild(node.outer || node);
      pos = eEnd;
    }
    if (pos < end) parent.appendChild(document.createTextNode(text.slice(pos, end)));
  }

  function link(href, cls) {
    const a = el("a", cls);
    const url = safeUrl(href);
    if (url) { a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer"; }
    return a;
  }

  function entityNode(e, chunk, pane) {
    switch (e.type) {
      case "bold": return el("b");
      case "italic": return el("i");
      case "underline": return el("u");
      case "strikethrough": return el("s");
      case "code": return el("code");
      case "pre": {
        const pre = el("pre");
        const code = el("code");
        if (e.language) code.dataset.language = String(e.language);
        pre.appendChild(code);
        return { outer: pre, content: code };
      }
      case "spoiler": {
        const s = el("span", "spoiler");
        s.addEventListener("click", () => s.classList.add("revealed"));
        return s;
      }
      case "blockquote": return el("blockquote");
      case "expandable_blockquote": {
        const q = el("blockquote", "expandable collapsed");
        q.addEventListener("click", () => q.classList.toggle("collapsed"));
        return q;
      }
      case "text_link": return link(e.url || "", "link");
      case "url": return link(/^[a-z][a-z0-9+.-]*:/i.test(chunk) ? chunk : "http://" + chunk, "link");
      case "email": return link("mailto:" + chunk, "link");
      case "phone_number": return link("tel:" + chunk.replace(/[^+\d]/g, ""), "link");
      case "bot_command": {
        const a = el("a", "command");
        a.href = "#";
        a.addEventListener("click", (ev) => { ev.preventDefault(); if (pane) pane.sendText(chunk); });
        return a;
      }
      case "mention": case "hashtag": case "cashtag": case "text_mention":
        return el("span", "mention");
      default: return el("span"); // custom_emoji (the text is the fallback emoji), date_time, unknown
    }
  }

  // ------------------------------------------------------------------------------ state

  const state = {
    info: null,
    users: [],
    panes: [],
    split: !!store.get("split", false),
  };

  function userById(id) { return state.users.find((u) => u.id === id) || null; }

  function roleLabel(role) { return t(role === "admin" ? "organizer" : role); }

  // ------------------------------------------------------------------------------ a chat pane

  class Pane {
    constructor(index) {
      this.index = index;
      const tpl = document.getElementById("pane-template");
      this.root = tpl.content.firstElementChild.cloneNode(true);
      this.root.dataset.pane = String(index);
      this.q = (sel) => this.root.querySelector(sel);
      this.list = this.q(".messages");
      this.kb = this.q(".reply-keyboard");
      this.cmds = this.q(".commands-menu");
      this.input = this.q(".text-input");
      this.select = this.q(".user-select");
      this.userId = null;
      this.messages = new Map(); // message_id -> view
      this.nodes = new Map(); // message_id -> row element
      this.keyboard = null;
      this.kbHidden = false;
      this.pending = new Map(); // message_id -> timer of a pressed inline button
      this.typingTimer = null;
      this.bind();
    }

    bind() {
      this.q(".composer").addEventListener("submit", (ev) => {
        ev.preventDefault();
        const text = this.input.value;
        if (!text.trim()) return;
        this.input.value = "";
        this.sendText(text);
      });
      this.select.addEventListener("change", () => {
        this.setUser(Number(this.select.value)).catch((e) => toast(e.message, "error"));
      });
      this.q(".add-user").addEventListener("click", () => openAddUser(this));
      this.q(".role-btn").addEventListener("click", () => this.toggleRole());
      this.q(".menu-btn").addEventListener("click", () => { this.cmds.hidden = !this.cmds.hidden; this.renderCommands(); });
      this.q(".kb-toggle").addEventListener("click", () => { this.kbHidden = !this.kbHidden; this.renderKeyboard(); });
      const file = this.q(".file-input");
      file.addEventListener("change", () => {
        if (file.files && file.files[0]) this.sendFile(file.files[0]);
        file.value = "";
      });
      this.list.addEventListener("dragover", (ev) => { ev.preventDefault(); });
      this.list.addEventListener("drop", (ev) => {
        ev.preventDefault();
        if (ev.dataTransfer && ev.dataTransfer.files[0]) this.sendFile(ev.dataTransfer.files[0]);
      });
    }

    get user() { return userById(this.userId); }

    renderHead() {
      const u = this.user;
      this.select.replaceChildren();
      for (const person of state.users) {
        const o = el("option", "", person.first_name + (person.role === "organizer" ? " · " + t("organizer") : ""));
        o.value = String(person.id);
        if (person.id === this.userId) o.selected = true;
        this.select.appendChild(o);
      }
      const avatar = this.q(".avatar");
      avatar.textContent = u ? initials(u.first_name) : "?";
      avatar.style.background = u ? "hsl(" + hue(u.id) + " 55% 55%)" : "";
      const status = this.q(".status");
      if (this.typingTimer) status.textContent = t("typing");
      else if (!u) status.textContent = "";
      else {
        const parts = [roleLabel(u.role)];
        parts.push(u.joined ? (u.registered ? t("registered") : t("not-registered")) : t("not-joined"));
        status.textContent = parts.join(" · ");
      }
      status.classList.toggle("typing", !!this.typingTimer);
      const roleBtn = this.q(".role-btn");
      roleBtn.hidden = !u;
      if (u) roleBtn.textContent = u.role === "organizer" ? t("make-participant") : t("make-organizer");
    }

    async setUser(id) {
      this.userId = id;
      store.set("pane" + this.index, id);
      this.cmds.hidden = true;
      this.kbHidden = false;
      this.renderHead();
      await this.reload();
    }

    async reload() {
      if (this.userId === null) return;
      const id = this.userId;
      const data = await api("GET", "/api/chats/" + id);
      if (id !== this.userId) return;
      this.messages.clear();
      for (const m of data.messages) this.messages.set(m.message_id, m);
      this.keyboard = data.reply_keyboard;
      this.renderAll();
    }

    renderAll() {
      this.nodes.clear();
      this.list.replaceChildren();
      if (!this.messages.size) this.list.appendChild(this.hint());
      for (const m of [...this.messages.values()].sort((a, b) => a.message_id - b.message_id)) {
        const node = this.renderMessage(m);
        this.nodes.set(m.message_id, node);
        this.list.appendChild(node);
      }
      this.renderKeyboard();
      this.input.placeholder = (this.keyboard && this.keyboard.input_field_placeholder) || t("message");
      this.list.scrollTop = this.list.scrollHeight;
    }

    hint() {
      const box = el("div", "hint");
      box.appendChild(el("div", "hint-title", t("hint-title")));
      if (state.info && state.info.restored) box.appendChild(el("p", "hint-note", t("hint-restored")));
      box.appendChild(el("p", "", t("hint-text")));
      const deep = (state.info && state.info.event.deep_link) || "/start demo";
      const b = el("button", "hint-start", deep);
      b.type = "button";
      b.addEventListener("click", () => this.sendText(deep));
      box.appendChild(b);
      return box;
    }

    // --- rendering one message ---

    renderMessage(m) {
      const row = el("div", "msg-row " + (m.from_bot ? "in" : "out"));
      row.dataset.messageId = String(m.message_id);
      const bubble = el("div", "bubble");
      row.appendChild(bubble);
      let shown = false;
      if (m.photo_file_id) {
        const img = el("img", "photo");
        img.src = withToken("/api/files/" + encodeURIComponent(m.photo_file_id));
        img.alt = m.caption || "photo";
        img.loading = "lazy";
        img.addEventListener("click", () => window.open(img.src, "_blank", "noopener"));
        bubble.appendChild(img);
        bubble.classList.add("has-photo");
        shown = true;
      }
      if (m.document) {
        const a = el("a", "document", "📄 " + (m.document.file_name || t("file")));
        a.href = withToken("/api/files/" + encodeURIComponent(m.document.file_id));
        a.target = "_blank";
        a.rel = "noopener";
        bubble.appendChild(a);
        shown = true;
      }
      if (m.contact) {
        const c = el("div", "contact");
        c.appendChild(el("div", "contact-icon", "👤"));
        const info = el("div");
        info.appendChild(el("div", "contact-name", [m.contact.first_name, m.contact.last_name].filter(Boolean).join(" ")));
        info.appendChild(el("div", "contact-phone", m.contact.phone_number));
        c.appendChild(info);
        bubble.appendChild(c);
        shown = true;
      }
      if (m.poll) { bubble.appendChild(this.renderPoll(m)); shown = true; }
      const body = m.text !== null && m.text !== undefined ? m.text : m.caption;
      if (body) {
        const text = el("div", "text");
        text.appendChild(renderEntities(body, m.entities, this));
        bubble.appendChild(text);
        shown = true;
      }
      if (!shown) bubble.appendChild(el("div", "text muted", t("unsupported-message")));
      const meta = el("div", "meta", (m.edit_count ? t("edited") + " " : "") + clock(m.date));
      bubble.appendChild(meta);
      const markup = m.reply_markup;
      if (markup && Array.isArray(markup.inline_keyboard)) {
        row.classList.add("with-kb");
        row.appendChild(this.renderInline(m, markup.inline_keyboard));
      }
      return row;
    }

    renderInline(m, rows) {
      const box = el("div", "inline-kb");
      for (const r of rows) {
        const line = el("div", "kb-row");
        for (const b of r) {
          const btn = el("button", "kb-btn", b.text);
          btn.type = "button";
          if (b.url) btn.classList.add("kb-url");
          btn.addEventListener("click", () => this.pressInline(m, b, btn));
          line.appendChild(btn);
        }
        box.appendChild(line);
      }
      return box;
    }

    async pressInline(m, b, btn) {
      if (b.callback_data !== undefined) {
        btn.classList.add("loading");
        clearTimeout(this.pending.get(m.message_id));
        this.pending.set(m.message_id, setTimeout(() => this.clearPending(m.message_id), 4000));
        try {
          await api("POST", "/api/chats/" + this.userId + "/click", { message_id: m.message_id, callback_data: b.callback_data });
        } catch (e) {
          btn.classList.remove("loading");
          toast(e.message, "error");
        }
      } else if (b.url) {
        openUrl(b.url);
      } else if (b.copy_text && navigator.clipboard) {
        navigator.clipboard.writeText(b.copy_text.text || "").then(() => toast(t("copied")));
      } else {
        toast(t("unsupported-button"), "warn");
      }
    }

    clearPending(messageId) {
      clearTimeout(this.pending.get(messageId));
      this.pending.delete(messageId);
      const row = this.nodes.get(messageId);
      if (row) row.querySelectorAll(".kb-btn.loading").forEach((b) => b.classList.remove("loading"));
    }

    renderPoll(m) {
      const p = m.poll;
      const box = el("div", "poll");
      const q = el("div", "poll-question");
      q.appendChild(renderEntities(p.question || "", p.question_entities, this));
      box.appendChild(q);
      const kind = p.type === "quiz" ? t("quiz") : p.is_anonymous ? t("poll-anon") : t("poll");
      box.appendChild(el("div", "poll-kind", p.is_closed ? t("poll-closed") : kind));
      const mine = p.my_votes || [];
      const voted = mine.length > 0 || p.is_closed;
      const total = p.total_voter_count || 0;
      if (!voted) {
        const chosen = new Set();
        p.options.forEach((o, i) => {
          const b = el("button", "poll-option");
          b.type = "button";
          b.appendChild(renderEntities(o.text, o.text_entities, null));
          b.addEventListener("click", () => {
            if (!p.allows_multiple_answers) { this.vote(p.id, [i]); return; }
            if (chosen.has(i)) chosen.delete(i); else chosen.add(i);
            b.classList.toggle("chosen", chosen.has(i));
          });
          box.appendChild(b);
        });
        if (p.allows_multiple_answers) {
          const v = el("button", "poll-vote", t("vote"));
          v.type = "button";
          v.addEventListener("click", () => { if (chosen.size) this.vote(p.id, [...chosen].sort()); });
          box.appendChild(v);
        }
      } else {
        p.options.forEach((o, i) => {
          const pct = total ? Math.round((o.voter_count * 100) / total) : 0;
          const line = el("div", "poll-result");
          if (mine.includes(i)) line.classList.add("mine");
          if (p.type === "quiz" && p.correct_option_id === i) line.classList.add("correct");
          const head = el("div", "poll-result-head");
          head.appendChild(el("span", "pct", pct + "%"));
          const label = el("span", "label");
          label.appendChild(renderEntities(o.text, o.text_entities, null));
          if (mine.includes(i)) label.appendChild(document.createTextNode(" ✓"));
          head.appendChild(label);
          line.appendChild(head);
          const bar = el("div", "bar");
          bar.style.width = Math.max(pct, 2) + "%";
          line.appendChild(bar);
          box.appendChild(line);
        });
        box.appendChild(el("div", "poll-kind", t("voters", { n: total })));
        if (!p.is_closed && p.type !== "quiz" && mine.length) {
          const r = el("button", "poll-retract", t("retract"));
          r.type = "button";
          r.addEventListener("click", () => this.vote(p.id, []));
          box.appendChild(r);
        }
      }
      return box;
    }

    async vote(pollId, optionIds) {
      try { await api("POST", "/api/chats/" + this.userId + "/vote", { poll_id: pollId, option_ids: optionIds }); }
      catch (e) { toast(e.message, "error"); }
    }

    // --- keyboards and commands ---

    renderKeyboard() {
      const k = this.keyboard;
      const toggle = this.q(".kb-toggle");
      toggle.hidden = !k;
      this.kb.replaceChildren();
      this.kb.hidden = !k || this.kbHidden;
      this.input.placeholder = (k && k.input_field_placeholder) || t("message");
      if (!k) return;
      for (const r of k.keyboard || []) {
        const line = el("div", "kb-row");
        for (const raw of r) {
          const b = typeof raw === "string" ? { text: raw } : raw;
          const btn = el("button", "reply-btn", b.text);
          btn.type = "button";
          if (b.request_contact) btn.classList.add("contact-btn");
          btn.addEventListener("click", () => this.pressReply(b));
          line.appendChild(btn);
        }
        this.kb.appendChild(line);
      }
    }

    async pressReply(b) {
      try {
        if (b.request_contact) {
          await api("POST", "/api/chats/" + this.userId + "/contact", {});
          return;
        }
        if (b.request_location || b.request_poll || b.request_users || b.request_chat || b.web_app) {
          toast(t("unsupported-button"), "warn");
          return;
        }
        await api("POST", "/api/chats/" + this.userId + "/text", { text: b.text, keyboard: true });
      } catch (e) { toast(t("send-failed") + ": " + e.message, "error"); }
    }

    renderCommands() {
      this.cmds.replaceChildren();
      const cmds = (state.info && state.info.commands) || {};
      const u = this.user;
      const list = cmds[(u && u.language_code) || "ru"] || cmds.default || [];
      for (const c of list) {
        const b = el("button", "command-item");
        b.type = "button";
        b.appendChild(el("span", "command-name", "/" + c.command));
        b.appendChild(el("span", "command-desc", c.description));
        b.addEventListener("click", () => { this.cmds.hidden = true; this.sendText("/" + c.command); });
        this.cmds.appendChild(b);
      }
    }

    // --- sending ---

    async sendText(text) {
      if (this.userId === null) return;
      try { await api("POST", "/api/chats/" + this.userId + "/text", { text }); }
      catch (e) { toast(t("send-failed") + ": " + e.message, "error"); }
    }

    async sendFile(file) {
      const form = new FormData();
      form.append("file", file, file.name);
      const caption = this.input.value.trim();
      if (caption) form.append("caption", caption);
      try {
        await api("POST", "/api/chats/" + this.userId + "/photo", form);
        this.input.value = "";
      } catch (e) { toast(t("upload-failed") + ": " + e.message, "error"); }
    }

    async toggleRole() {
      const u = this.user;
      if (!u) return;
      const role = u.role === "organizer" ? "participant" : "organizer";
      try {
        await api("POST", "/api/users/" + u.id + "/role", { role });
        toast(t("role-changed", { role: t(role) }));
        await refreshUsers();
      } catch (e) { toast(e.message, "error"); }
    }

    // --- live events ---

    handle(ev) {
      if ("reply_keyboard" in ev) {
        const before = JSON.stringify(this.keyboard);
        this.keyboard = ev.reply_keyboard;
        if (JSON.stringify(this.keyboard) !== before) { this.kbHidden = false; this.renderKeyboard(); }
      }
      switch (ev.type) {
        case "message": case "edit": {
          const m = ev.message;
          const known = this.nodes.get(m.message_id);
          if (ev.type === "edit" && !known) { this.messages.set(m.message_id, m); return; }
          this.messages.set(m.message_id, m);
          const node = this.renderMessage(m);
          const stick = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 80;
          const view = this.list.getBoundingClientRect();
          const seen = known && (() => { const r = known.getBoundingClientRect();
                                         return r.bottom > view.top && r.top < view.bottom; })();
          if (known) known.replaceWith(node);
          else {
            const hint = this.list.querySelector(".hint");
            if (hint) hint.remove();
            this.list.appendChild(node);
          }
          this.nodes.set(m.message_id, node);
          if (m.from_bot && ev.type === "message") { this.stopTyping(); refreshUsersSoon(); }
          // Follow the conversation unless the person scrolled up to read something.
          if (!known && (stick || !m.from_bot)) this.list.scrollTop = this.list.scrollHeight;
          // A message in view that grew when edited (a card after a tap) is brought fully into
          // view, as Telegram does, instead of leaving its new lines and buttons below the fold.
          if (seen && node.getBoundingClientRect().bottom > view.bottom) node.scrollIntoView({block: "end"});
          break;
        }
        case "delete": {
          const node = this.nodes.get(ev.message_id);
          if (node) node.remove();
          this.nodes.delete(ev.message_id);
          this.messages.delete(ev.message_id);
          break;
        }
        case "callback_answer": {
          if (ev.user_id !== this.userId) break;
          this.clearPending(ev.message_id);
          if (ev.url) openUrl(ev.url);
          if (ev.text) { if (ev.show_alert) alertBox(ev.text); else toast(ev.text); }
          break;
        }
        case "chat_action": {
          if (ev.action !== "typing" && ev.action !== "upload_photo" && ev.action !== "upload_document") break;
          clearTimeout(this.typingTimer);
          this.typingTimer = setTimeout(() => this.stopTyping(), 5000);
          this.renderHead();
          break;
        }
        default: break;
      }
    }

    stopTyping() {
      if (!this.typingTimer) return;
      clearTimeout(this.typingTimer);
      this.typingTimer = null;
      this.renderHead();
    }
  }

  // ------------------------------------------------------------------------------ people

  let addUserFor = null;

  function openAddUser(pane) {
    addUserFor = pane;
    const dlg = document.getElementById("add-user-dialog");
    const form = document.getElementById("add-user-form");
    form.reset();
    form.elements.language_code.value = lang;
    dlg.showModal();
    form.elements.first_name.focus();
  }

  async function submitAddUser(ev) {
    const dlg = document.getElementById("add-user-dialog");
    if (dlg.returnValue !== "ok") return;
    const form = document.getElementById("add-user-form");
    const body = {
      first_name: form.elements.first_name.value.trim(),
      language_code: form.elements.language_code.value,
      role: form.elements.role.value,
    };
    if (!body.first_name) return;
    try {
      const user = await api("POST", "/api/users", body);
      await refreshUsers();
      if (addUserFor) await addUserFor.setUser(user.id);
    } catch (e) { toast(e.message, "error"); }
  }

  // Sign-up and roles change as people talk to the bot: refresh the badges shortly after it answers.
  let usersTimer = null;
  function refreshUsersSoon() {
    clearTimeout(usersTimer);
    usersTimer = setTimeout(() => refreshUsers().catch(() => {}), 400);
  }

  async function refreshUsers(users) {
    state.users = users || (await api("GET", "/api/users")).users;
    for (const p of state.panes) {
      if (p.userId === null) seatPerson(p);  // opened before the people were known
      p.renderHead();
    }
  }

  // The person a pane shows: the one it showed last time, else a participant in the first pane
  // and an organizer in the second. Nobody yet while the people are still loading: refreshUsers
  // seats them when they arrive (the split button works before the page has finished loading).
  function seatPerson(pane) {
    const saved = store.get("pane" + pane.index, null);
    const fallback = pane.index === 0
      ? state.users.find((u) => u.role !== "organizer") || state.users[0]
      : state.users.find((u) => u.role === "organizer") || state.users[1] || state.users[0];
    const id = userById(saved) ? saved : fallback && fallback.id;
    if (id !== undefined && id !== null) pane.setUser(id).catch((e) => toast(e.message, "error"));
  }

  // ------------------------------------------------------------------------------ layout

  function layout() {
    const main = document.getElementById("panes");
    main.dataset.split = state.split ? "1" : "0";
    const want = state.split ? 2 : 1;
    while (state.panes.length < want) {
      const pane = new Pane(state.panes.length);
      applyTexts(pane.root);
      state.panes.push(pane);
      main.appendChild(pane.root);
      seatPerson(pane);
    }
    while (state.panes.length > want) state.panes.pop().root.remove();
    document.getElementById("toggle-split").textContent = state.split ? t("single") : t("split");
  }

  function setLang(next) {
    lang = next;
    store.set("lang", lang);
    document.documentElement.lang = lang;
    document.getElementById("toggle-lang").textContent = lang === "ru" ? "EN" : "RU";
    applyTexts(document);
    document.getElementById("toggle-split").textContent = state.split ? t("single") : t("split");
    for (const p of state.panes) { applyTexts(p.root); p.renderHead(); p.renderAll(); }
  }

  // ------------------------------------------------------------------------------ live stream

  let wasOffline = false;

  function connect() {
    const es = new EventSource(withToken("/api/stream"));
    const conn = document.getElementById("conn");
    es.onopen = () => {
      conn.hidden = true;
      if (wasOffline) {
        wasOffline = false;
        refreshUsers().catch(() => {});
        for (const p of state.panes) p.reload().catch(() => {});
      }
    };
    es.onerror = () => { wasOffline = true; conn.hidden = false; };
    es.onmessage = (msg) => {
      let ev;
      try { ev = JSON.parse(msg.data); } catch (e) { return; }
      if (ev.type === "users") { refreshUsers(ev.users); return; }
      for (const p of state.panes) if (p.userId === ev.chat_id) p.handle(ev);
    };
  }

  // ------------------------------------------------------------------------------ start

  async function main() {
    document.getElementById("toggle-lang").addEventListener("click", () => setLang(lang === "ru" ? "en" : "ru"));
    document.getElementById("toggle-split").addEventListener("click", () => {
      state.split = !state.split;
      store.set("split", state.split);
      layout();
    });
    document.getElementById("add-user-dialog").addEventListener("close", submitAddUser);
    connect();
    state.info = await api("GET", "/api/info");
    document.getElementById("event-title").textContent = state.info.event.title;
    document.title = "Pocket Organizer — " + state.info.event.title;
    await refreshUsers();
    setLang(lang);
    layout();
    document.body.classList.add("ready");
  }

  main().catch((e) => { toast(String(e.message || e), "error"); });
})();
