"""Telegram's text rules: parse modes, length limits, reply markup checks, entity helpers.

The parsers follow tdlib's behaviour (``td/telegram/MessageEntity.cpp``) closely enough that markup a real
Telegram rejects is rejected here with the same kind of message, so formatting bugs surface in tests instead
of in production. Offsets and lengths of entities are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from core.sandbox.errors import ApiError, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64


def u16len(text: str) -> int:
    """Length in UTF-16 code units: characters outside the BMP (most emoji) count twice."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(src: str, index: int) -> int:
    # tdlib reports positions in UTF-8 bytes of the original string.
    return len(src[:index].encode("utf-8"))


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


# --------------------------------------------------------------------------------------------------- HTML

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_PLAIN_RUN = re.compile(r"[^<&]+")


def _decode_html_entity(src: str, i: int) -> tuple[str | None, int]:
    """Decode ``&...;`` at ``src[i]``. Unknown or unterminated sequences stay literal text, as in tdlib."""
    m = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{1,10});").match(src, i)
    if not m:
        return None, i
    body = m.group(1)
    if body.startswith(("#x", "#X")):
        code = int(body[2:], 16)
    elif body.startswith("#"):
        code = int(body[1:])
    else:
        ch = _NAMED_ENTITIES.get(body)
        return (ch, m.end()) if ch else (None, i)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None, i
    return chr(code), m.end()


def parse_html(src: str) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    pos = 0  # current UTF-16 offset in the output text
    stack: list[dict[str, Any]] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "&":
            ch, j = _decode_html_entity(src, i)
            if ch is not None:
                out.append(ch)
                pos += u16len(ch)
                i = j
                continue
        if c != "<":
            if c == "&":  # an unknown or unterminated sequence: literal text, as in tdlib
                run, i = c, i + 1
            else:  # plain text up to the next tag or entity, in one step
                end = _PLAIN_RUN.match(src, i).end()
                run, i = src[i:end], end
            out.append(run)
            pos += u16len(run)
            continue
        begin = i
        i += 1
        if i < n and src[i] == "/":
            end = src.find(">", i)
            if end == -1:
                raise _parse_error(f"Unclosed end tag at byte offset {_byte_offset(src, begin)}")
            name = src[i + 1 : end].strip().lower()
            if not stack:
                raise _parse_error(f"Unexpected end tag at byte offset {_byte_offset(src, begin)}")
            top = stack[-1]
            if name != top["tag"]:
                raise _parse_error(
                    f'Unmatched end tag at byte offset {_byte_offset(src, begin)}, expected "</{top["tag"]}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
            i = end + 1
            _close_html_entity(top, pos, stack, entities)
            continue
        j = i
        while j < n and not src[j].isspace() and src[j] not in ">":
            j += 1
        if j >= n:
            raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        name = src[i:j].lower()
        if name not in _HTML_TAGS:
            raise _parse_error(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, begin)}')
        attrs, i = _parse_html_attributes(src, j, name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(src, begin)}')
        stack.append(
            {"tag": name, "type": _HTML_TAGS[name], "offset": pos, "attrs": attrs, "text_start": len(out), "out": out}
        )
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]["tag"]}"')
    return "".join(out), sort_entities(entities)


def _parse_html_attributes(src: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    attrs: dict[str, str] = {}
    n = len(src)
    while True:
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        if src[i] == ">":
            return attrs, i + 1
        j = i
        while j < n and not src[j].isspace() and src[j] not in "=>":
            j += 1
        attr = src[i:j].lower()
        if not attr:
            raise _parse_error(f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(src, begin)}')
        i = j
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        if src[i] != "=":
            # A bare attribute such as <blockquote expandable>.
            attrs[attr] = ""
            continue
        i += 1
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        if src[i] in "\"'":
            quote = src[i]
            end = src.find(quote, i + 1)
            if end == -1:
                raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
            raw = src[i + 1 : end]
            i = end + 1
        else:
            j = i
            while j < n and (src[j].isalnum() or src[j] in "-_.:/?=&#%"):
                j += 1
            if j == i:
                raise _parse_error(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" at byte offset '
                    f"{_byte_offset(src, begin)}"
                )
            raw = src[i:j]
            i = j
        attrs[attr] = html.unescape(raw)


def _close_html_entity(
    top: dict[str, Any], pos: int, stack: list[dict[str, Any]], entities: list[dict[str, Any]]
) -> None:
    length = pos - top["offset"]
    etype = top["type"]
    attrs = top["attrs"]
    entity: dict[str, Any] = {"type": etype, "offset": top["offset"], "length": length}
    if etype == "text_link":
        href = attrs.get("href")
        if href is None:
            # tdlib uses the link text itself as the URL when href is missing.
            href = "".join(top["out"][top["text_start"] :])
        if href.startswith("tg://user?id="):
            entity = {"type": "text_mention", "offset": top["offset"], "length": length,
                      "user": {"id": int(href.split("=", 1)[1] or 0), "is_bot": False, "first_name": ""}}
        else:
            entity["url"] = href
    elif etype == "custom_emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif etype == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif etype == "code" and stack and stack[-1]["type"] == "pre":
        # <pre><code class="language-x"> is one pre entity with a language, not two entities.
        lang = attrs.get("class", "")
        if lang.startswith("language-"):
            stack[-1]["language"] = lang[len("language-") :]
        return
    elif etype == "pre" and top.get("language"):
        entity["language"] = top["language"]
    if length > 0:
        entities.append(entity)


# --------------------------------------------------------------------------------------------- MarkdownV2

_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"


def parse_markdown_v2(src: str) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    pos = 0
    stack: list[dict[str, Any]] = []
    entities: list[dict[str, Any]] = []
    quote_start: int | None = None
    i, n = 0, len(src)

    def at(k: int) -> str:
        return src[k] if k < n else ""

    def emit(ch: str) -> None:
        nonlocal pos
        out.append(ch)
        pos += u16len(ch)

    while i < n:
        c = src[i]
        in_code = bool(stack) and stack[-1]["type"] in ("code", "pre")
        line_start = i == 0 or src[i - 1] == "\n"
        if line_start and not in_code:
            # Block quotes are whole lines starting with '>' (tdlib ≥ 1.8.23).
            if c == ">" or (src.startswith("**>", i)):
                if quote_start is None:
                    quote_start = pos
                i += 3 if c == "*" else 1
                continue
            if quote_start is not None:
                _close_quote(entities, quote_start, pos)
                quote_start = None
        if c == "\\" and i + 1 < n and 0 < ord(src[i + 1]) <= 126:
            emit(src[i + 1])
            i += 2
            continue
        reserved = "`" if in_code else _MDV2_RESERVED
        if c not in reserved:
            emit(c)
            i += 1
            continue
        top = stack[-1]["type"] if stack else None
        closes = {
            "bold": c == "*",
            "italic": c == "_" and at(i + 1) != "_",
            "underline": c == "_" and at(i + 1) == "_",
            "code": c == "`",
            "pre": c == "`" and at(i + 1) == "`" and at(i + 2) == "`",
            "text_link": c == "]",
            "custom_emoji": c == "]",
            "strikethrough": c == "~",
            "spoiler": c == "|" and at(i + 1) == "|",
        }.get(top, False)
        byte_pos = _byte_offset(src, i)
        if not closes:
            etype: str
            extra: dict[str, Any] = {}
            if c == "_":
                if at(i + 1) == "_":
                    etype, i = "underline", i + 2
                else:
                    etype, i = "italic", i + 1
            elif c == "*":
                etype, i = "bold", i + 1
            elif c == "~":
                etype, i = "strikethrough", i + 1
            elif c == "|" and at(i + 1) == "|":
                etype, i = "spoiler", i + 2
            elif c == "[":
                etype, i = "text_link", i + 1
            elif c == "!" and at(i + 1) == "[":
                etype, i = "custom_emoji", i + 2
            elif c == "`":
                if at(i + 1) == "`" and at(i + 2) == "`":
                    i += 3
                    nl = src.find("\n", i)
                    lang = src[i:nl] if nl != -1 else ""
                    if nl != -1 and re.fullmatch(r"[A-Za-z0-9_+#.-]*", lang):
                        if lang:
                            extra["language"] = lang
                        i = nl + 1
                    etype = "pre"
                else:
                    etype, i = "code", i + 1
            else:
                raise _parse_error(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
            stack.append({"type": etype, "offset": pos, "byte": byte_pos, "begin": i, **extra})
            continue
        ent = stack.pop()
        etype = ent["type"]
        i += {"underline": 2, "spoiler": 2, "pre": 3}.get(etype, 1)
        entity: dict[str, Any] = {"type": etype, "offset": ent["offset"], "length": pos - ent["offset"]}
        if etype in ("text_link", "custom_emoji"):
            if at(i) == "(":
                i += 1
                url_begin = i
                url: list[str] = []
                while i < n and src[i] != ")":
                    if src[i] == "\\" and i + 1 < n and 0 < ord(src[i + 1]) <= 126:
                        url.append(src[i + 1])
                        i += 2
                        continue
                    url.append(src[i])
                    i += 1
                if i >= n:
                    raise _parse_error(f"Can't find end of a URL at byte offset {_byte_offset(src, url_begin)}")
                i += 1
                target = "".join(url)
            else:
                target = _tail_text(out, ent["offset"])  # no explicit URL: Telegram uses the text
            if etype == "text_link":
                entity["url"] = target
            else:
                entity["custom_emoji_id"] = target.split("id=", 1)[-1]
        elif etype == "pre" and ent.get("language"):
            entity["language"] = ent["language"]
        if entity["length"] > 0:
            entities.append(entity)
    if stack:
        names = {
            "bold": "Bold", "italic": "Italic", "underline": "Underline", "code": "Code", "pre": "Pre",
            "text_link": "TextUrl", "custom_emoji": "CustomEmoji", "strikethrough": "Strikethrough",
            "spoiler": "Spoiler",
        }
        ent = stack[-1]
        raise _parse_error(f"Can't find end of {names[ent['type']]} entity at byte offset {ent['byte']}")
    if quote_start is not None:
        _close_quote(entities, quote_start, pos)
    return "".join(out), sort_entities(entities)


def _tail_text(out: list[str], u16_offset: int) -> str:
    text = "".join(out)
    units = text.encode("utf-16-le")
    return units[u16_offset * 2 :].decode("utf-16-le")


def _close_quote(entities: list[dict[str, Any]], start: int, end: int) -> None:
    # The newline that ends the last quoted line is not part of the quote.
    length = end - start - 1
    if length > 0:
        entities.append({"type": "blockquote", "offset": start, "length": length})


# ----------------------------------------------------------------------------------------- legacy Markdown


def parse_markdown(src: str) -> tuple[str, list[dict[str, Any]]]:
    """Legacy ``Markdown``: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    pos = 0
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            out.append(src[i + 1])
            pos += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            pos += u16len(c)
            i += 1
            continue
        begin = i
        if c == "[":
            close = src.find("]", i + 1)
            if close == -1 or not src.startswith("(", close + 1) or src.find(")", close) == -1:
                raise _parse_error(f"Can't find end of the entity starting at byte offset {_byte_offset(src, begin)}")
            label = src[i + 1 : close]
            url_end = src.find(")", close)
            entities.append({"type": "text_link", "offset": pos, "length": u16len(label),
                             "url": src[close + 2 : url_end]})
            out.append(label)
            pos += u16len(label)
            i = url_end + 1
            continue
        token = "```" if src.startswith("```", i) else c
        end = src.find(token, i + len(token))
        if end == -1:
            raise _parse_error(f"Can't find end of the entity starting at byte offset {_byte_offset(src, begin)}")
        inner = src[i + len(token) : end]
        etype = {"*": "bold", "_": "italic", "`": "code", "```": "pre"}[token]
        if inner:
            entities.append({"type": etype, "offset": pos, "length": u16len(inner)})
        out.append(inner)
        pos += u16len(inner)
        i = end + len(token)
    return "".join(out), sort_entities(entities)


# ------------------------------------------------------------------------------------------- common rules


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Telegram orders entities by offset, outer (longer) first.
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims leading/trailing whitespace of message texts and moves entities accordingly."""
    stripped_left = text.lstrip()
    lead = u16len(text) - u16len(stripped_left)
    stripped = stripped_left.rstrip()
    total = u16len(stripped)
    result = []
    for e in entities:
        start = max(e["offset"] - lead, 0)
        end = min(e["offset"] + e["length"] - lead, total)
        if end > start:
            result.append({**e, "offset": start, "length": end - start})
    return stripped, result


def parse_text(
    text: Any,
    parse_mode: str | None,
    entities: Any = None,
    *,
    caption: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """Apply a parse mode and Telegram's limits; returns the plain text and its entities."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        text = str(text)
    if entities:
        if isinstance(entities, str):
            try:
                entities = json.loads(entities)
            except ValueError:
                raise bad_request("can't parse entities JSON object") from None
        if not isinstance(entities, list) or not all(isinstance(e, dict) and "type" in e for e in entities):
            raise bad_request("can't parse entities JSON object")
        plain, ents = text, [dict(e) for e in entities]
    else:
        mode = (parse_mode or "").strip().lower()
        if mode == "html":
            plain, ents = parse_html(text)
        elif mode == "markdownv2":
            plain, ents = parse_markdown_v2(text)
        elif mode == "markdown":
            plain, ents = parse_markdown(text)
        elif mode == "":
            plain, ents = text, []
        else:
            raise bad_request("unsupported parse_mode")
    plain, ents = _strip(plain, ents)
    if caption:
        if len(plain) > MAX_CAPTION:
            raise bad_request("message caption is too long")
    else:
        if not plain:
            raise bad_request("message text is empty")
        if len(plain) > MAX_TEXT:
            raise bad_request("message is too long")
    return plain, ents


# ------------------------------------------------------------------------------------------- reply markup

_INLINE_BUTTON_KINDS = (
    "callback_data", "url", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
)


def parse_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Decode and check ``reply_markup`` the way Telegram does, so invalid keyboards fail loudly."""
    if markup is None or markup == "":
        return None
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            raise bad_request("can't parse reply keyboard markup JSON object") from None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                _check_inline_button(button)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                label = button if isinstance(button, str) else button.get("text") if isinstance(button, dict) else None
                if not isinstance(label, str):
                    raise bad_request("can't parse keyboard button: Field \"text\" must be of type String")
    elif not ("remove_keyboard" in markup or "force_reply" in markup):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    kinds = [k for k in _INLINE_BUTTON_KINDS if k in button]
    if not kinds:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not re.match(r"^(https?|tg)://[^\s]+$", url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not markup or "inline_keyboard" not in markup:
        return []
    return [b for row in markup["inline_keyboard"] for b in row]


def keyboard_labels(markup: dict[str, Any] | None) -> list[str]:
    if not markup:
        return []
    if "inline_keyboard" in markup:
        return [b["text"] for row in markup["inline_keyboard"] for b in row]
    if "keyboard" in markup:
        return [b if isinstance(b, str) else b["text"] for row in markup["keyboard"] for b in row]
    return []


# ------------------------------------------------------------------------------- entities of users' texts

_AUTO_ENTITY_RE = re.compile(
    r"(?P<bot_command>(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)"
    r"|(?P<url>\bhttps?://[^\s<>\"]+)"
    r"|(?P<email>\b[\w.+-]+@[\w-]+\.[\w.-]+\b)"
    r"|(?P<mention>(?<!\w)@[A-Za-z0-9_]{5,32})"
    r"|(?P<hashtag>(?<!\w)#\w+)"
)


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram's clients/servers add to a user's plain text (commands, links, mentions)."""
    entities = []
    for m in _AUTO_ENTITY_RE.finditer(text):
        kind = m.lastgroup
        assert kind is not None
        entities.append({"type": kind, "offset": u16len(text[: m.start()]), "length": u16len(m.group())})
    return entities


# ----------------------------------------------------------------------------------------- HTML rendering

_RENDER = {
    "bold": ("<b>", "</b>"), "italic": ("<i>", "</i>"), "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"), "spoiler": ("<tg-spoiler>", "</tg-spoiler>"), "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"), "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote expandable>", "</blockquote>"),
}


def entities_to_html(text: str, entities: list[dict[str, Any]] | None) -> str:
    """Render text+entities back to Telegram HTML (for the demo page and readable test failures)."""
    if not text:
        return ""
    # Map UTF-16 offsets to Python string indices (the same numbers unless the text leaves the BMP).
    if u16len(text) == len(text):
        index_of = None
    else:
        index_of = {}
        unit = 0
        for idx, ch in enumerate(text):
            index_of[unit] = idx
            unit += 2 if ord(ch) > 0xFFFF else 1
        index_of[unit] = len(text)
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for e in sort_entities(list(entities or [])):
        if index_of is None:
            start, end = e["offset"], e["offset"] + e["length"]
            if not 0 <= start <= end <= len(text):
                continue
        else:
            start = index_of.get(e["offset"])
            end = index_of.get(e["offset"] + e["length"])
            if start is None or end is None:
                continue
        if e["type"] == "text_link":
            tag = (f'<a href="{html.escape(e.get("url", ""), quote=True)}">', "</a>")
        elif e["type"] in _RENDER:
            tag = _RENDER[e["type"]]
        else:
            continue
        opens.setdefault(start, []).append(tag[0])
        closes.setdefault(end, []).insert(0, tag[1])
    parts: list[str] = []
    done = 0  # text before this index is already in parts
    for idx in sorted(opens.keys() | closes.keys()):
        parts.append(html.escape(text[done:idx], quote=False))
        parts.extend(closes.get(idx, ()))
        parts.extend(opens.get(idx, ()))
        done = idx
    parts.append(html.escape(text[done:], quote=False))
    return "".join(parts)
