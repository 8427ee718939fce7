"""In-memory emulator of the Telegram Bot API plus a JSON control API for tests and chat clients."""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import os
import re
import secrets
import time
import unicodedata
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

log = logging.getLogger(__name__)

JSON = dict[str, Any]
Route = Callable[[web.Request], Awaitable[web.StreamResponse]]
# What the program running the bot adds to the control API (the sandbox's clock, its demo
# network): it gets the request's JSON body ({} for GET) and answers JSON.
Hook = Callable[[JSON], Awaitable[JSON]]
# The Bot API methods as data, trimmed from the official spec by scripts/trim_bot_api_spec.py.
SPEC_PATH = Path(os.environ.get("MENTORBOT_BOT_API_SPEC", Path(__file__).with_name("bot_api_methods.json")))
SCALAR_TYPES = {"String", "Integer", "Float", "Boolean", "InputFile"}
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code"}
HTML_TAGS |= {"pre", "blockquote", "tg-emoji", "tg-time"}
CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
CHAT_ACTIONS |= {"upload_document", "choose_sticker", "find_location", "record_video_note"}
CHAT_ACTIONS |= {"upload_video_note"}
SCOPES = {"default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat"}
SCOPES |= {"chat_administrators", "chat_member"}
NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}  # update types
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
MEDIA: dict[str, JSON] = {  # a user's media message; the first five kinds also get a file_id
    "voice": {"duration": 3, "mime_type": "audio/ogg"},
    "photo": {"width": 800, "height": 600},
    "sticker": {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False},
    "document": {"file_name": "file.pdf", "mime_type": "application/pdf"},
    "video": {"duration": 5, "width": 640, "height": 360, "mime_type": "video/mp4"},
    "location": {"latitude": 55.6761, "longitude": 12.5683},
    "contact": {"phone_number": "+4512345678"},
}


class ApiError(Exception):
    """A Bot API error, answered with Telegram's error envelope."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        """Keep the status code, description and optional ResponseParameters."""
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters

    def body(self) -> JSON:
        """Return the Telegram error envelope."""
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        return body | ({"parameters": self.parameters} if self.parameters else {})


def bad(description: str) -> ApiError:
    """Return a 400 "Bad Request: ..." error."""
    return ApiError(400, f"Bad Request: {description}")


class ControlError(Exception):
    """A control API error, answered as {"error": message}."""

    def __init__(self, status: int, message: str) -> None:
        """Keep the HTTP status and message."""
        super().__init__(message)
        self.status = status


@dataclass
class Upload:
    """File bytes received in a request or kept by the emulator."""

    data: bytes
    filename: str
    mime_type: str = "application/octet-stream"


@dataclass
class BotMessage:
    """A message the bot sent, in its current state."""

    message_id: int
    text: str | None  # text or caption after entity parsing
    raw_text: str | None  # as the bot sent it
    parse_mode: str | None
    reply_markup: JSON | None
    kind: str = "text"
    file_id: str | None = None
    date: int = field(default_factory=lambda: int(time.time()))
    edit_date: int | None = None
    deleted: bool = False
    rev: int = 0  # sequence number of the last send, edit or delete


@dataclass
class SandboxUser:
    """A sandbox user; her private chat with the bot has the same id."""

    id: int
    first_name: str
    language_code: str = "en"
    username: str | None = None
    last_message_id: int = 0
    last_action_seq: int = 0
    seen_seq: int = 0
    messages: dict[int, BotMessage] = field(default_factory=dict)
    answers: list[JSON] = field(default_factory=list)
    said: dict[int, JSON] = field(default_factory=dict)  # what she sent, for chat clients to show

    def to_json(self) -> JSON:
        """Return the Telegram User object."""
        return {"id": self.id, "is_bot": False, "language_code": self.language_code} | self.chat(type_=False)

    def chat(self, type_: bool = True) -> JSON:
        """Return the Telegram Chat object of her private chat."""
        chat = {"id": self.id, "first_name": self.first_name} | ({"type": "private"} if type_ else {})
        return chat | ({"username": self.username} if self.username else {})

    def last_seq(self) -> int:
        """Return the sequence number of the bot's latest activity in this chat."""
        return max([m.rev for m in self.messages.values()] + [a["seq"] for a in self.answers], default=0)


@dataclass
class Queued:
    """A pending update and whether getUpdates has handed it out."""

    update: JSON
    delivered: bool = False


@dataclass
class Fault:
    """An injected failure (or delay) for the next `count` matching Bot API calls."""

    method: str
    count: int = 1
    status: int | None = None
    retry_after: int = 1
    delay: float = 0.0
    chat_id: int | None = None
    description: str | None = None


@dataclass
class Webhook:
    """The active webhook and its last delivery error."""

    url: str
    secret_token: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


def plain_text(text: str, parse_mode: str | None) -> str:
    """Return text after entity parsing, failing like Telegram on malformed HTML or MarkdownV2."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        open_tags: list[str] = []
        for tag in re.finditer(r"<(/?)([a-zA-Z][\w-]*)?[^<>]*>|<", text):
            name, at = (tag.group(2) or "").lower(), len(text[: tag.start()].encode())
            if name not in HTML_TAGS:
                raise bad(f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {at}')
            if not tag.group(1):
                open_tags.append(name)
            elif not open_tags or open_tags.pop() != name:
                raise bad(f"can't parse entities: Unexpected end tag at byte offset {at}")
        if open_tags:
            raise bad(
                f"can't parse entities: Can't find end tag corresponding to start tag \"{open_tags[-1]}\""
            )
        return html.unescape(re.sub(r"<[^<>]*>", "", text))
    outside = re.sub(r"\\.|`[^`]*`|\]\([^)]*\)", "", text)  # not escaped, not code, not a link's URL
    if mode == "markdownv2" and (char := re.search(r"[#+\-={}.!()]", outside)):
        raise bad(f"can't parse entities: Character '{char.group()}' is reserved and must be escaped")
    if mode.startswith("markdown"):
        return re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)[*_~|`\[]|(?<!\\)\]\([^)]*\)", "", text))
    return text


def _word_character(char: str) -> bool:
    """A letter, a number or "_", as Telegram's entity parser counts them (tdlib's is_word_character)."""
    return char == "_" or unicodedata.category(char)[0] in ("L", "N")


def command_entities(text: str | None) -> list[JSON]:
    """The bot_command entities Telegram finds in a message a bot sends, which make /commands tappable.

    As tdlib's match_bot_commands: a "/" whose previous character is not a letter, number, "_",
    "/", "<" or ">", then 1-64 of [A-Za-z0-9_] (and perhaps @ and a bot's name), not followed by
    such a character. Formatting marks (LRM, LRI, FSI, PDI...) are neither, so a command between
    them is still one. Offsets and lengths count UTF-16 code units, like the Bot API's.
    """
    text = text or ""
    found: list[JSON] = []
    for match in re.finditer(r"/([A-Za-z0-9_]{1,64})(@[A-Za-z0-9_]{3,32})?", text):
        before = text[match.start() - 1 : match.start()]
        after = text[match.end() : match.end() + 1]
        if any(c and (_word_character(c) or c in "/<>") for c in (before, after)):
            continue
        offset, length = (
            len(part.encode("utf-16-le")) // 2 for part in (text[: match.start()], match.group())
        )
        found.append({"type": "bot_command", "offset": offset, "length": length})
    return found


def check_markup(markup: Any) -> JSON | None:
    """Validate reply_markup like Telegram: callback_data of 1-64 bytes, one action per inline button."""
    if markup is None or (isinstance(markup, dict) and "inline_keyboard" not in markup):
        return markup
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad("can't parse reply keyboard markup JSON object")
    for button in (b for row in rows for b in row):
        if not isinstance(button, dict) or not button.get("text"):
            raise bad("can't parse inline keyboard button: Text must be non-empty")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            raise bad("BUTTON_DATA_INVALID")
        actions = [k for k, v in button.items() if k not in ("text", "style", "icon_custom_emoji_id") and v]
        if len(actions) != 1:
            raise bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    return markup


def scope_key(scope: Any) -> str:
    """Return the key of a BotCommandScope, e.g. "default" or "chat:1001"."""
    if not scope:
        return "default"
    if not isinstance(scope, dict) or scope.get("type") not in SCOPES:
        raise bad("can't parse BotCommandScope JSON object")
    return ":".join(str(scope[k]) for k in ("type", "chat_id", "user_id") if k in scope)


def update_type(update: JSON) -> str:
    """Return the kind of an Update (its key besides update_id)."""
    return next((k for k in update if k != "update_id"), "")


class Emulator:
    """A local Telegram Bot API server; the default token passes aiogram's token check."""

    def __init__(
        self,
        token: str = "123456:sandbox",
        bot_username: str = "mentor_sandbox_bot",
        *,
        spec_path: Path = SPEC_PATH,
        webhook_timeout: float = 10.0,
        first_update_id: int = 1,
    ) -> None:
        """Create an empty emulator for one bot token, checking requests against the spec in spec_path.

        Update ids count from first_update_id, as Telegram's go on growing across a bot's restarts.
        """
        self.token, self.webhook_timeout, self.base_url = token, webhook_timeout, ""
        bot_id = int(token.split(":")[0]) if token.split(":")[0].isdigit() else 1
        self.bot_user: JSON = {"id": bot_id, "is_bot": True, "first_name": "Mentor Sandbox"}
        self.bot_user |= {
            "username": bot_username,
            "can_join_groups": False,
            "supports_inline_queries": False,
        }
        methods = json.loads(spec_path.read_text(encoding="utf-8"))["methods"]
        self._spec: dict[str, JSON] = {name.lower(): spec for name, spec in methods.items()}
        self.users: dict[int, SandboxUser] = {}
        self._updates: list[Queued] = []
        self._next_update_id, self._poll_generation, self._seq = first_update_id, 0, 0
        self._allowed: set[str] = set()
        self._callbacks: dict[str, JSON] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._files: dict[str, Upload] = {}
        self._faults: list[Fault] = []
        self._requests: deque[JSON] = deque(maxlen=5000)
        self._webhook: Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()
        self._closing = False
        self.hooks: dict[str, Hook] = {}
        # The time chats are dated with (a Unix timestamp); the sandbox sets its movable clock here.
        self.now: Callable[[], float] = time.time
        self._app = web.Application(client_max_size=64 * 2**20, middlewares=[self._control_errors])
        self._app.on_shutdown.append(self._close)
        routes: dict[tuple[str, str], Route] = {
            ("*", "/bot{token}/{method}"): self._handle_api,
            ("GET", "/files/{file_id}"): self._c_file,
            ("GET", "/file/bot{token}/{file_id}"): self._c_file,
            ("*", "/control/users"): self._c_users,
            ("POST", "/control/send"): self._c_send,
            ("POST", "/control/press"): self._c_press,
            ("POST", "/control/send_media"): self._c_send_media,
            ("POST", "/control/raw_update"): self._c_raw_update,
            ("GET", "/control/messages"): self._c_messages,
            ("POST", "/control/wait"): self._c_wait,
            ("GET", "/control/commands"): self._c_commands,
            ("*", "/control/faults"): self._c_faults,
            ("GET", "/control/requests"): self._c_requests,
            ("GET", "/control/state"): self._c_state,
            ("GET", "/control/changes"): self._c_changes,
            ("*", "/control/clock"): self._c_hook,
            ("POST", "/control/demo"): self._c_hook,
            ("GET", "/control/people"): self._c_hook,
        }
        for (verb, path), handler in routes.items():
            self._app.router.add_route(verb, path, handler)

    @property
    def app(self) -> web.Application:
        """Return the aiohttp application serving the Bot API and the control API."""
        return self._app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 picks a free port) and return the base URL."""
        self._runner = web.AppRunner(self._app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.base_url = f"http://{bound_host}:{bound_port}"
        return self.base_url

    async def also_serve(self, host: str, port: int) -> str:
        """Serve the same application on a second address (the sandbox's web chat); return its URL."""
        assert self._runner is not None, "start() first"
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[-1][:2]
        return f"http://{bound_host}:{bound_port}"

    async def stop(self) -> None:
        """Wake long polls and waits, stop webhook delivery and the server."""
        await self._close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _close(self, _app: web.Application | None = None) -> None:
        """Release background work and the outgoing HTTP session."""
        self._closing = True
        await self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._http is not None:
            await self._http.close()

    # ---- plumbing -----------------------------------------------------------------------------

    async def _notify(self) -> None:
        """Wake every long poll, wait and webhook loop to re-check its condition."""
        async with self._changed:
            self._changed.notify_all()

    async def _wait(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Wait up to `seconds` until predicate() holds (or the emulator stops); return predicate()."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                condition = self._changed.wait_for(lambda: self._closing or predicate())
                await asyncio.wait_for(condition, max(seconds, 0))
            return predicate()

    def _bump(self) -> int:
        """Advance and return the event sequence number."""
        self._seq += 1
        return self._seq

    async def _handle_api(self, request: web.Request) -> web.Response:
        """Answer one Bot API request, from query string, JSON, urlencoded or multipart parameters."""
        if request.match_info["token"] != self.token:
            unauthorized = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return web.json_response(unauthorized, status=401)
        params: JSON = dict(request.query)
        if request.method == "POST" and request.content_type == "application/json":
            with contextlib.suppress(ValueError):
                body = await request.json()
                params |= body if isinstance(body, dict) else {}
        elif request.method == "POST":
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    params[key] = Upload(value.file.read(), value.filename, value.content_type)
                    value.file.close()
                else:
                    params[key] = value
        status, body = await self.call(request.match_info["method"], params)
        return web.json_response(body, status=status)

    def _coerce(self, spec: JSON, raw: JSON) -> JSON:
        """Convert form strings to the spec's types (JSON for objects) and check required parameters."""
        params: JSON = {}
        for spec_field in spec.get("fields", []):
            name, types, value = spec_field["name"], set(spec_field["types"]), raw.get(spec_field["name"])
            if isinstance(value, str) and value.startswith("attach://"):
                value = raw.get(value.removeprefix("attach://"))
            elif isinstance(value, str) and "Boolean" in types:
                value = value.lower() in ("true", "1")
            elif isinstance(value, str) and types & {"Integer", "Float"}:
                with contextlib.suppress(ValueError):
                    value = int(value) if "Integer" in types else float(value)
            elif isinstance(value, str) and not types <= SCALAR_TYPES:
                try:
                    value = json.loads(value)
                except ValueError:
                    raise bad(f"can't parse {name} JSON object") from None
            if value is not None:
                params[name] = value
            if spec_field["required"] and params.get(name) in (None, ""):
                raise bad("message text is empty" if name == "text" else f'parameter "{name}" is required')
        return params

    async def call(self, method: str, raw: JSON) -> tuple[int, JSON]:
        """Run one Bot API method and return (HTTP status, Telegram envelope)."""
        spec, params = self._spec.get(method.lower()), raw
        try:
            if spec is None:
                raise ApiError(404, "Not Found: method not found")
            method, params = spec["name"], self._coerce(spec, raw)
            await self._apply_fault(method, params)
            handler = getattr(self, f"_m_{method.lower()}", None)
            if handler is None:
                raise bad("method not supported by the sandbox")
            status, body = 200, {"ok": True, "result": await handler(params)}
        except ApiError as error:
            status, body = error.code, error.body()
        except (KeyError, ValueError, TypeError, AttributeError) as error:
            status, body = 400, bad(str(error)).body()
        shown = {k: {"file": v.filename} if isinstance(v, Upload) else v for k, v in params.items()}
        entry = {"method": method, "params": shown, "time": time.time(), "status": status, "ok": body["ok"]}
        self._requests.append(entry | {"description": body.get("description")})
        log.debug("bot api %s -> %s", method, status)
        return status, body

    async def _apply_fault(self, method: str, params: JSON) -> None:
        """Delay or fail the call if an injected fault matches it."""
        for fault in self._faults:
            if fault.method.lower() == method.lower() and fault.chat_id in (None, params.get("chat_id")):
                break
        else:
            return
        fault.count -= 1
        self._faults = [f for f in self._faults if f.count > 0]
        await asyncio.sleep(fault.delay)
        if fault.status == 429:
            text = f"Too Many Requests: retry after {fault.retry_after}"
            raise ApiError(429, fault.description or text, {"retry_after": fault.retry_after})
        if fault.status is not None:
            text = "Forbidden: bot was blocked by the user" if fault.status == 403 else "Bad Request: fault"
            text = "Internal Server Error" if fault.status >= 500 else text
            raise ApiError(fault.status, fault.description or text)

    def _user(self, chat_id: Any) -> SandboxUser:
        """Find the user whose private chat is chat_id (or @username)."""
        found = [u for u in self.users.values() if str(chat_id) in (str(u.id), f"@{u.username}")]
        if not found:
            raise bad("chat not found")
        return found[0]

    def _tg_message(self, user: SandboxUser, msg: BotMessage) -> JSON:
        """Return the Telegram Message object for a bot message."""
        out: JSON = {
            "message_id": msg.message_id,
            "from": self.bot_user,
            "chat": user.chat(),
            "date": msg.date,
        }
        if msg.text is not None:
            out["text" if msg.kind == "text" else "caption"] = msg.text
            if entities := command_entities(msg.text):
                out["entities" if msg.kind == "text" else "caption_entities"] = entities
        if msg.edit_date:
            out["edit_date"] = msg.edit_date
        if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
            out["reply_markup"] = msg.reply_markup
        if msg.file_id:
            stored = self._files[msg.file_id]
            info = {
                "file_id": msg.file_id,
                "file_unique_id": msg.file_id[-12:],
                "file_size": len(stored.data),
            }
            if msg.kind == "photo":
                out["photo"] = [info | MEDIA["photo"]]
            elif msg.kind in ("voice", "audio", "video", "video_note"):
                out[msg.kind] = info | {"duration": MEDIA["voice"]["duration"]}
                if msg.kind == "video":
                    out[msg.kind] |= {"width": 640, "height": 360}
                if msg.kind == "video_note":
                    out[msg.kind] |= {"length": 240}
            else:
                out["document"] = info | {"file_name": stored.filename, "mime_type": stored.mime_type}
        return out

    def _store_file(self, upload: Upload) -> str:
        """Keep file bytes and return a new file_id."""
        file_id = f"SBX{len(self._files) + 1:04d}{secrets.token_hex(6)}"
        self._files[file_id] = upload
        return file_id

    async def _enqueue(self, update: JSON, user: SandboxUser | None) -> JSON:
        """Queue an update (assigning update_id if absent) and wake consumers."""
        update = {"update_id": self._next_update_id} | update
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._updates.append(Queued(update))
        seq = self._bump()
        if user is not None:
            user.last_action_seq = seq
        await self._notify()
        return update

    def _has_pending(self) -> bool:
        """Forget queued updates of types the bot did not ask for, like Telegram; tell whether any remain."""

        def wanted(queued: Queued) -> bool:
            """Tell whether the bot receives this update type."""
            kind = update_type(queued.update)
            return kind in self._allowed if self._allowed else kind not in NOT_BY_DEFAULT

        self._updates = [q for q in self._updates if wanted(q)]
        return bool(self._updates)

    # ---- Bot API methods ----------------------------------------------------------------------

    async def _m_getme(self, params: JSON) -> JSON:
        """getMe."""
        return self.bot_user

    async def _m_getupdates(self, params: JSON) -> list[JSON]:
        """getUpdates: offset confirms updates handed out before, limit, long-poll timeout."""
        if self._webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        if isinstance(params.get("allowed_updates"), list):
            self._allowed = set(params["allowed_updates"])
        offset, limit = int(params.get("offset", 0)), min(max(int(params.get("limit", 100)), 1), 100)
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset:  # confirms only what was handed out, so a re-sent old update_id still arrives
            self._updates = [q for q in self._updates if not (q.delivered and q.update["update_id"] < offset)]
        self._poll_generation += 1
        generation = self._poll_generation
        await self._notify()  # an older long poll now ends with a conflict, as on Telegram

        def ready() -> bool:
            """Tell whether this poll should answer."""
            return generation != self._poll_generation or self._has_pending()

        await self._wait(ready, params.get("timeout", 0))
        if generation != self._poll_generation:
            raise ApiError(409, POLL_CONFLICT)
        batch = self._updates[:limit] if self._has_pending() else []
        for queued in batch:
            queued.delivered = True
        return [q.update for q in batch]

    async def _m_sendmessage(self, params: JSON) -> JSON:
        """sendMessage."""
        text = self._checked_text(params["text"], params.get("parse_mode"))
        return await self._add_message(params, text, params["text"])

    async def _add_message(
        self, params: JSON, text: str | None, raw: str | None, kind: str = "text", file_id: str | None = None
    ) -> JSON:
        """Store a new bot message and return its Telegram shape."""
        user, markup = self._user(params["chat_id"]), check_markup(params.get("reply_markup"))
        user.last_message_id += 1
        msg = BotMessage(user.last_message_id, text, raw, params.get("parse_mode"), markup, kind, file_id)
        msg.date = int(self.now())
        msg.rev = self._bump()
        user.messages[msg.message_id] = msg
        await self._notify()
        return self._tg_message(user, msg)

    def _checked_text(self, text: str, parse_mode: str | None, caption: bool = False) -> str:
        """Return plain text after entity parsing, enforcing 1-4096 characters (captions 0-1024)."""
        plain = plain_text(text, parse_mode)
        if not caption and not plain.strip():
            raise bad("message text is empty")
        if len(plain) > (1024 if caption else 4096):
            raise bad("message caption is too long" if caption else "message is too long")
        return plain

    def _find(self, params: JSON, action: str = "edit") -> tuple[SandboxUser, BotMessage]:
        """Find the message an edit or delete targets."""
        user = self._user(params.get("chat_id"))
        msg = user.messages.get(int(params.get("message_id", 0)))
        if msg is None or msg.deleted:
            raise bad(f"message to {action} not found")
        return user, msg

    async def _edit(self, params: JSON, text: str | None = None, raw: str | None = None) -> JSON:
        """Apply an edit; a missing reply_markup removes the inline keyboard, like Telegram."""
        user, msg = self._find(params)
        if raw is None:
            text, raw = msg.text, msg.raw_text
        markup = check_markup(params.get("reply_markup"))
        if (text, raw, markup) == (msg.text, msg.raw_text, msg.reply_markup):
            raise bad(NOT_MODIFIED)
        msg.text, msg.raw_text, msg.reply_markup, msg.edit_date = text, raw, markup, int(self.now())
        msg.parse_mode, msg.rev = params.get("parse_mode", msg.parse_mode), self._bump()
        await self._notify()
        return self._tg_message(user, msg)

    async def _m_editmessagetext(self, params: JSON) -> JSON:
        """editMessageText."""
        if self._find(params)[1].kind != "text":
            raise bad("there is no text in the message to edit")
        text = params.get("text", "")
        return await self._edit(params, self._checked_text(text, params.get("parse_mode")), text)

    async def _m_editmessagereplymarkup(self, params: JSON) -> JSON:
        """editMessageReplyMarkup."""
        return await self._edit(params)

    async def _m_deletemessage(self, params: JSON) -> bool:
        """deleteMessage."""
        msg = self._find(params, "delete")[1]
        msg.deleted, msg.rev = True, self._bump()
        await self._notify()
        return True

    async def _m_answercallbackquery(self, params: JSON) -> bool:
        """answerCallbackQuery, recorded for the control API."""
        query = self._callbacks.pop(str(params["callback_query_id"]), None)
        if query is None:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        if len(params.get("text", "")) > 200:
            raise bad("MESSAGE_TOO_LONG")
        answer = {k: params.get(k) for k in ("callback_query_id", "text", "url")}
        answer |= {"show_alert": bool(params.get("show_alert")), "message_id": query["message_id"]}
        self.users[query["user_id"]].answers.append(answer | {"seq": self._bump()})
        await self._notify()
        return True

    async def _m_setmycommands(self, params: JSON) -> bool:
        """setMyCommands for a scope and language."""
        commands = params["commands"]
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("can't parse commands JSON object")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command"))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (scope_key(params.get("scope")), params.get("language_code", ""))
        self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        return True

    async def _m_getmycommands(self, params: JSON) -> list[JSON]:
        """getMyCommands for exactly this scope and language."""
        return self._commands.get((scope_key(params.get("scope")), params.get("language_code", "")), [])

    async def _m_deletemycommands(self, params: JSON) -> bool:
        """deleteMyCommands."""
        self._commands.pop((scope_key(params.get("scope")), params.get("language_code", "")), None)
        return True

    async def _m_setwebhook(self, params: JSON) -> bool:
        """setWebhook (plain http URLs are allowed in the sandbox)."""
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad("secret token contains unallowed characters")
        if not str(params["url"]).startswith(("http://", "https://")):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if isinstance(params.get("allowed_updates"), list):
            self._allowed = set(params["allowed_updates"])
        self._webhook = Webhook(params["url"], secret)
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_webhooks())
        await self._notify()
        return True

    async def _m_deletewebhook(self, params: JSON) -> bool:
        """deleteWebhook: back to getUpdates."""
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        await self._notify()
        return True

    async def _m_getwebhookinfo(self, params: JSON) -> JSON:
        """getWebhookInfo."""
        info: JSON = {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}
        if self._webhook is not None:
            info |= {k: v for k, v in asdict(self._webhook).items() if v and k != "secret_token"}
        return info | ({"allowed_updates": sorted(self._allowed)} if self._allowed else {})

    async def _send_file(self, params: JSON, kind: str) -> JSON:
        """Send a document or photo: uploaded bytes, a known file_id or a URL."""
        source = params[kind]
        if isinstance(source, Upload):
            file_id = self._store_file(source)
        elif source in self._files:
            file_id = str(source)
        elif str(source).startswith(("http://", "https://")):
            file_id = self._store_file(Upload(b"", str(source).rsplit("/", 1)[-1] or kind))
        else:
            raise bad("wrong file identifier/HTTP URL specified")
        caption = params.get("caption")
        plain = self._checked_text(caption, params.get("parse_mode"), caption=True) if caption else None
        return await self._add_message(params, plain, caption, kind, file_id)

    async def _m_senddocument(self, params: JSON) -> JSON:
        """sendDocument."""
        return await self._send_file(params, "document")

    async def _m_sendphoto(self, params: JSON) -> JSON:
        """sendPhoto."""
        return await self._send_file(params, "photo")

    async def _m_sendvoice(self, params: JSON) -> JSON:
        """sendVoice."""
        return await self._send_file(params, "voice")

    async def _m_sendaudio(self, params: JSON) -> JSON:
        """sendAudio."""
        return await self._send_file(params, "audio")

    async def _m_sendvideo(self, params: JSON) -> JSON:
        """sendVideo."""
        return await self._send_file(params, "video")

    async def _m_sendvideonote(self, params: JSON) -> JSON:
        """sendVideoNote (no caption, as on Telegram)."""
        return await self._send_file({k: v for k, v in params.items() if k != "caption"}, "video_note")

    async def _m_getfile(self, params: JSON) -> JSON:
        """getFile; the bytes are then served at /file/bot{token}/{file_path}."""
        file_id = str(params["file_id"])
        if file_id not in self._files:
            raise bad("invalid file_id")
        size = len(self._files[file_id].data)
        return {"file_id": file_id, "file_unique_id": file_id[-12:], "file_size": size, "file_path": file_id}

    async def _m_sendchataction(self, params: JSON) -> bool:
        """sendChatAction."""
        self._user(params["chat_id"])
        if params["action"] not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        return True

    async def _m_close(self, params: JSON) -> bool:
        """close, logOut and the profile setters: accepted, nothing to show."""
        return True

    _m_logout = _m_setmydescription = _m_setmyshortdescription = _m_setmyname = _m_setchatmenubutton = (
        _m_close
    )

    # ---- webhook delivery ---------------------------------------------------------------------

    async def _deliver_webhooks(self) -> None:
        """POST queued updates to the webhook in order, retrying failures with backoff."""
        backoff = 0.0
        while True:
            await self._wait(lambda: self._webhook is None or self._has_pending(), 3600)
            hook = self._webhook
            if hook is None or self._closing:
                return
            if not self._updates:
                continue
            queued = self._updates[0]
            error = await self._post_update(hook, queued.update)
            if error is None:
                self._updates = [q for q in self._updates if q is not queued]
                backoff = 0.0
                continue
            hook.last_error_date, hook.last_error_message = int(time.time()), error
            backoff = min(max(backoff * 2, 0.05), 2.0)
            await asyncio.sleep(backoff)

    async def _post_update(self, hook: Webhook, update: JSON) -> str | None:
        """Deliver one update and run a method returned in the response; return an error or None."""
        self._http = self._http or aiohttp.ClientSession()
        headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token} if hook.secret_token else {}
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        reply: JSON = {}
        try:
            async with self._http.post(hook.url, json=update, headers=headers, timeout=timeout) as resp:
                if resp.status != 200:
                    return f"Wrong response from the webhook: {resp.status} {resp.reason}"
                if resp.content_type == "application/json":
                    body = await resp.json()
                    reply = body if isinstance(body, dict) else {}
                elif resp.content_type == "multipart/form-data":  # aiogram's handle_in_background=False
                    async for part in aiohttp.MultipartReader(resp.headers, resp.content):
                        if isinstance(part, aiohttp.BodyPartReader) and part.name:
                            data = bytes(await part.read(decode=True))
                            reply[part.name] = Upload(data, part.filename) if part.filename else data.decode()
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            log.debug("webhook delivery failed: %r", error)
            return f"Connection failed: {type(error).__name__}"
        if isinstance(reply.get("method"), str):
            await self.call(reply.pop("method"), reply)
        return None

    # ---- control API --------------------------------------------------------------------------

    @web.middleware
    async def _control_errors(self, request: web.Request, handler: Route) -> web.StreamResponse:
        """Answer control API errors and bad input as JSON {"error": ...}."""
        try:
            return await handler(request)
        except ControlError as error:
            return web.json_response({"error": str(error)}, status=error.status)
        except (KeyError, ValueError, TypeError) as error:
            return web.json_response({"error": f"bad request: {error!r}"}, status=400)

    @staticmethod
    async def _body(request: web.Request) -> JSON:
        """Read a JSON object body."""
        body = await request.json() if request.body_exists else {}
        if not isinstance(body, dict):
            raise ControlError(400, "expected a JSON object")
        return body

    def _known_user(self, user_id: Any) -> SandboxUser:
        """Return an existing user or answer 404."""
        if int(user_id) not in self.users:
            raise ControlError(404, f"unknown user {user_id}")
        return self.users[int(user_id)]

    def ensure_user(self, user_id: int, **fields: Any) -> SandboxUser:
        """Create or update a sandbox user (first_name, language_code, username)."""
        user = self.users.setdefault(user_id, SandboxUser(id=user_id, first_name=f"User {user_id}"))
        for key, value in fields.items():
            if value is not None:
                setattr(user, key, value)
        return user

    async def _c_users(self, request: web.Request) -> web.Response:
        """POST /control/users {id, first_name?, language_code?, username?} creates or updates; GET lists."""
        if request.method == "POST":
            body = await self._body(request)
            fields = {k: body.get(k) for k in ("first_name", "language_code", "username")}
            return web.json_response(self.ensure_user(int(body["id"]), **fields).to_json())
        return web.json_response({"users": [u.to_json() for u in self.users.values()]})

    async def _user_says(self, user: SandboxUser, content: JSON) -> JSON:
        """Queue a message update from the user; return the control API answer."""
        user.last_message_id += 1
        message = {"message_id": user.last_message_id, "from": user.to_json(), "chat": user.chat()}
        date = int(self.now())
        update = await self._enqueue({"message": message | {"date": date} | content}, user)
        user.said[user.last_message_id] = {"message_id": user.last_message_id, "date": date, "seq": self._seq}
        user.said[user.last_message_id] |= content
        return {"update_id": update["update_id"], "message_id": user.last_message_id, "seq": self._seq}

    async def _c_send(self, request: web.Request) -> web.Response:
        """POST /control/send {user_id, text}: the user types text; a leading /command gets its entity."""
        body = await self._body(request)
        user, text = self.ensure_user(int(body["user_id"])), str(body["text"])
        content: JSON = {"text": text}
        if re.match(r"/\w", text):
            length = len(text.split(maxsplit=1)[0].encode("utf-16-le")) // 2
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return web.json_response(await self._user_says(user, content))

    async def _c_send_media(self, request: web.Request) -> web.Response:
        """POST /control/send_media {user_id, kind, caption?, ...}: the user sends media or a contact."""
        body = await self._body(request)
        user, kind = self.ensure_user(int(body["user_id"])), str(body["kind"])
        if kind not in MEDIA:
            raise ControlError(400, f"unknown media kind {kind!r}, expected one of {sorted(MEDIA)}")
        payload = MEDIA[kind] | {k: body[k] for k in MEDIA[kind] if k in body}
        file_id = None
        if kind in ("voice", "photo", "sticker", "document", "video"):
            file_id = self._store_file(Upload(f"sandbox {kind}".encode(), payload.get("file_name", kind)))
            payload |= {"file_id": file_id, "file_unique_id": file_id[-12:], "file_size": 7 + len(kind)}
        if kind == "sticker":
            payload["emoji"] = body.get("emoji", "👍")
        if kind == "contact":
            payload |= {"first_name": body.get("first_name", user.first_name), "user_id": user.id}
        content: JSON = {kind: [payload] if kind == "photo" else payload}
        if body.get("caption") and kind in ("voice", "photo", "document", "video"):
            content["caption"] = str(body["caption"])
        return web.json_response(await self._user_says(user, content) | {"file_id": file_id})

    async def _c_press(self, request: web.Request) -> web.Response:
        """POST /control/press {user_id, message_id, data}: press an inline button; forged data is allowed."""
        body = await self._body(request)
        user, data = self._known_user(body["user_id"]), str(body["data"])
        msg = user.messages.get(int(body["message_id"]))
        if msg is None or msg.deleted:
            raise ControlError(404, f"no bot message {body['message_id']} in chat {user.id}")
        query_id = str(secrets.randbits(63))
        self._callbacks[query_id] = {"user_id": user.id, "message_id": msg.message_id}
        query = {"id": query_id, "from": user.to_json(), "message": self._tg_message(user, msg), "data": data}
        update = await self._enqueue({"callback_query": query | {"chat_instance": str(user.id)}}, user)
        answer: JSON = {"update_id": update["update_id"], "callback_query_id": query_id, "seq": self._seq}
        rows = (msg.reply_markup or {}).get("inline_keyboard", [])
        forged = data not in {button.get("callback_data") for row in rows for button in row}
        return web.json_response(answer | ({"forged": True} if forged else {}))

    async def _c_raw_update(self, request: web.Request) -> web.Response:
        """POST /control/raw_update {update}: queue an update as given (its update_id kept if present)."""
        update = (await self._body(request)).get("update")
        if not isinstance(update, dict):
            raise ControlError(400, "expected {'update': {...}}")
        payload = update.get(update_type(update))
        sender = payload.get("from") if isinstance(payload, dict) else None
        user = self.users.get(int(sender["id"])) if isinstance(sender, dict) and "id" in sender else None
        update = await self._enqueue(update, user)
        return web.json_response({"update_id": update["update_id"], "seq": self._seq})

    def _chat_view(self, user: SandboxUser, after: int, since: int | None, origin: str) -> JSON:
        """Return the bot's messages with id > after (or changed after seq `since`) and callback answers."""
        messages = []
        for m in sorted(user.messages.values(), key=lambda m: m.message_id):
            if m.message_id > after or (since is not None and m.rev > since):
                file_url = f"{origin}/files/{m.file_id}" if m.file_id else None
                file_name = self._files[m.file_id].filename if m.file_id else None
                extra: JSON = {
                    "edited": m.edit_date is not None,
                    "file_url": file_url,
                    "file_name": file_name,
                }
                extra["entities"] = command_entities(m.text)  # what Telegram's apps make tappable
                messages.append(asdict(m) | extra)
        answers = [a for a in user.answers if since is None or a["seq"] > since]
        said = [m for i, m in sorted(user.said.items()) if i > after]
        return {"messages": messages, "callback_answers": answers, "user_messages": said, "seq": self._seq}

    async def _c_messages(self, request: web.Request) -> web.Response:
        """GET /control/messages?user_id=N&after=K[&since=S]."""
        query = request.query
        user, after = self._known_user(query["user_id"]), int(query.get("after", 0))
        since = int(query["since"]) if "since" in query else None
        return web.json_response(self._chat_view(user, after, since, str(request.url.origin())))

    async def _c_wait(self, request: web.Request) -> web.Response:
        """POST /control/wait {user_id, after, timeout, since?, settle?}: wait for the bot to act."""
        body = await self._body(request)
        user, after = self._known_user(body["user_id"]), int(body.get("after", 0))
        # The default cursor: what happened after her last action, or after the previous wait returned.
        since = body.get("since")
        since = int(since) if since is not None else max(user.last_action_seq, user.seen_seq) or self._seq
        timeout, settle = float(body.get("timeout", 5.0)), float(body.get("settle", 0.0))
        deadline, mark = time.monotonic() + timeout, since

        def busy() -> bool:
            """Tell whether the bot changed anything in the chat after seq `mark`."""
            return user.last_seq() > mark

        changed = await self._wait(lambda: busy() or any(i > after for i in user.messages), timeout)
        while changed and settle > 0 and not self._closing:  # then wait until the chat is quiet
            mark = user.last_seq()
            if not await self._wait(busy, min(settle, deadline - time.monotonic())):
                break
        user.seen_seq = self._seq
        view = self._chat_view(user, after, since, str(request.url.origin()))
        return web.json_response(view | {"timed_out": not changed})

    async def _c_commands(self, request: web.Request) -> web.Response:
        """GET /control/commands?user_id=N: the command menu this user sees, resolved like Telegram."""
        user = self._known_user(request.query["user_id"])
        for scope in (f"chat:{user.id}", "all_private_chats", "default"):
            for lang in (user.language_code, ""):
                if (scope, lang) in self._commands:
                    found = {"commands": self._commands[scope, lang], "scope": scope, "language_code": lang}
                    return web.json_response(found)
        return web.json_response({"commands": [], "scope": None, "language_code": None})

    async def _c_faults(self, request: web.Request) -> web.Response:
        """POST /control/faults {method, status?, count?, retry_after?, delay?, chat_id?}; DELETE clears."""
        if request.method == "DELETE":
            self._faults.clear()
        elif request.method == "POST":
            body = await self._body(request)
            fields = ("method", "count", "status", "retry_after", "delay", "chat_id", "description")
            fault = Fault(**{k: body[k] for k in fields if body.get(k) is not None})
            if fault.status is None and not fault.delay:
                raise ControlError(400, "a fault needs a status or a delay")
            self._faults.append(fault)
        return web.json_response({"faults": [asdict(f) for f in self._faults]})

    async def _c_requests(self, request: web.Request) -> web.Response:
        """GET /control/requests[?method=sendMessage]: the log of Bot API calls."""
        method = request.query.get("method", "").lower()
        return web.json_response(
            {"requests": [r for r in self._requests if method in ("", r["method"].lower())]}
        )

    async def _c_state(self, request: web.Request) -> web.Response:
        """GET /control/state: a summary."""
        state = {"bot": self.bot_user, "users": [u.to_json() for u in self.users.values()], "seq": self._seq}
        state |= {"pending_updates": len(self._updates), "webhook_url": self._webhook and self._webhook.url}
        return web.json_response(state | {"faults": len(self._faults), "files": len(self._files)})

    async def _c_changes(self, request: web.Request) -> web.Response:
        """GET /control/changes?since=S&timeout=T: wait until anything happens after seq S; who it concerns."""
        since, timeout = int(request.query.get("since", 0)), float(request.query.get("timeout", 20))
        await self._wait(lambda: self._seq > since, timeout)
        changed = [u.id for u in self.users.values() if max(u.last_seq(), u.last_action_seq) > since]
        return web.json_response({"seq": self._seq, "users": changed, "people": len(self.users)})

    async def _c_hook(self, request: web.Request) -> web.Response:
        """/control/clock, /control/demo, /control/people: answered by a hook (GET passes the query string)."""
        name = request.path.rsplit("/", 1)[-1]
        hook = self.hooks.get(name)
        if hook is None:
            raise ControlError(501, f"{request.path} needs the bot: run `mentorbot run` without a token")
        body = await self._body(request) if request.method == "POST" else dict(request.query)
        return web.json_response(await hook(body))

    async def _c_file(self, request: web.Request) -> web.Response:
        """GET /files/{file_id}: the stored bytes."""
        stored = self._files.get(request.match_info["file_id"])
        if stored is None:
            raise ControlError(404, "file not found")
        headers = {"Content-Disposition": f'attachment; filename="{stored.filename}"'}
        return web.Response(body=stored.data, content_type=stored.mime_type, headers=headers)
