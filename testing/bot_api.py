"""The Bot API methods the fake Telegram answers, and the state they answer from.

`BotApi` holds what Telegram would know: the updates not yet confirmed, the messages and
chats, the files, the command menus, the webhook. Each method (getUpdates, sendMessage,
getFile, ...) is answered as the real Bot API answers it, including its errors (400 for
an empty text, a reply to an unknown message, a file over 20 MB). `FakeTelegram`
(`testing/fake_telegram.py`) puts it behind HTTP, queues what users send, and records
what the bot did.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

try:  # Pillow is a dependency of the bot; the fake still works without it (sizes become 0).
    from PIL import Image
except ImportError:  # pragma: no cover
    Image = None  # type: ignore[assignment]

#: getUpdates never blocks longer than this, whatever ``timeout`` the bot asks for.
LONG_POLL_CAP = 1.0
#: Bot API limits reproduced by the fake.
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

# Form fields that are free text or file references: never decoded, even if they look like
# numbers or JSON (a user may well send the text "42" or "[1]").
_RAW_STRING_PARAMS = frozenset(
    {
        "action", "address", "animation", "audio", "business_connection_id",
        "callback_query_id", "caption", "custom_emoji_id", "data", "description", "document",
        "emoji", "file_id", "first_name", "inline_message_id", "language_code", "last_name",
        "message_effect_id", "name", "next_offset", "parse_mode", "phone_number", "photo",
        "query", "question", "secret_token", "short_description", "sticker", "text",
        "thumbnail", "title", "url", "video", "video_note", "voice",
    }
)  # fmt: skip
_INT_RE = re.compile(r"-?\d+")
_FLOAT_RE = re.compile(r"-?\d+\.\d*(?:[eE][-+]?\d+)?")


@dataclass
class Call:
    """One Bot API call received by the fake."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    time: float = 0.0
    file_names: dict[str, str] = field(default_factory=dict)
    file_types: dict[str, str] = field(default_factory=dict)
    status: int = 0
    response: Any = None

    @property
    def result(self) -> Any:
        """The ``result`` the fake answered with (None for errors)."""
        if isinstance(self.response, dict):
            return self.response.get("result")
        return None


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_size: int

    def as_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


_FaultSpec = tuple[int, "int | None"]  # (error_code, retry_after)


@dataclass
class Fault:
    error_code: int
    description: str
    retry_after: int | None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class ApiError(Exception):
    """Raised by method implementations to answer with a Bot API error."""

    def __init__(self, description: str, error_code: int = 400) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description


def error_body(error_code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": error_code, "description": description}


def decode_value(name: str, raw: str) -> Any:
    """Undo PTB's form encoding: every non-str parameter is sent as its JSON dump."""
    if name in _RAW_STRING_PARAMS:
        return raw
    if raw in ("true", "false"):
        return raw == "true"
    if _INT_RE.fullmatch(raw):
        return int(raw)
    if _FLOAT_RE.fullmatch(raw):
        return float(raw)
    if raw.startswith(("{", "[")):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _image_size(data: bytes) -> tuple[int, int]:
    if Image is None:
        return 0, 0
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return 0, 0



def taken_key(sent: dict[str, Any]) -> tuple[object, object]:
    """What `BotApi.taken_by` knows a message or a callback query by."""
    if "chat_instance" in sent:  # a callback query
        return ("query", sent["id"])
    return (chat_key(sent["chat"]["id"]), sent["message_id"])


def chat_key(value: Any) -> int | str:
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text) if _INT_RE.fullmatch(text) else text




class BotApi:
    """Telegram's side of the conversation. Every method runs with `cond` held."""

    def __init__(self, token: str, bot_id: int, username: str, first_name: str,
                 stopping: threading.Event) -> None:
        self.token = token
        self.bot_id = bot_id
        self.username = username
        self.first_name = first_name
        self.cond = threading.Condition()  # guards all state below
        self._stopping = stopping  # the server is stopping: long polls and deliveries end
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._message_ids = itertools.count(1)
        self._file_numbers = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._media_group_ids = itertools.count(1)
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._photo_sizes: dict[str, list[dict[str, Any]]] = {}  # file_id -> all sizes
        self._documents: dict[str, dict[str, Any]] = {}  # file_id -> Document
        self._messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self._chats: dict[int | str, dict[str, Any]] = {}
        self._commands: dict[tuple[str, str], list[Any]] = {}
        self._texts: dict[tuple[str, str], str] = {}  # (kind, language) -> description/name
        self._webhook_url = ""
        self._webhook_secret = ""
        self._webhook_thread: threading.Thread | None = None
        self.webhook_deliveries: list[tuple[int, int | str]] = []
        # (chat, message) or ("query", id) -> the webhook URL that took it
        self.taken_by: dict[tuple[object, object], str] = {}
        self.replicas: list[str] = []  # set: updates go to these in turn (a load balancer)
        self._turn = 0
        self.methods: dict[str, tuple[str, Callable[[Call], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": lambda _call: self.bot_user,
                "logOut": lambda _call: True,
                "close": lambda _call: True,
                "getUpdates": self._get_updates,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "getFile": self._get_file,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setMyDescription": lambda call: self._set_text(call, "description"),
                "getMyDescription": lambda call: self._get_text(call, "description"),
                "setMyShortDescription": lambda call: self._set_text(call, "short_description"),
                "getMyShortDescription": lambda call: self._get_text(call, "short_description"),
                "setMyName": lambda call: self._set_text(call, "name"),
                "getMyName": lambda call: self._get_text(call, "name"),
                "getChat": self._get_chat,
                "sendMessage": self._send_message,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "sendMediaGroup": self._send_media_group,
                "sendChatAction": self._send_chat_action,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": lambda _call: True,
            }.items()
        }

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def stop(self) -> None:
        """Wake long polls; wait for the webhook's delivery thread to end."""
        with self.cond:
            self.cond.notify_all()
        if self._webhook_thread is not None:
            self._webhook_thread.join(timeout=15)
            self._webhook_thread = None

    def file_at(self, path: str) -> StoredFile | None:
        """The file served at `path` (what getFile gave as file_path)."""
        with self.cond:
            return self._files_by_path.get(path)

    def pending_updates(self) -> list[dict[str, Any]]:
        with self.cond:
            return list(self._updates)

    def answer(self, call: Call) -> None:
        """Run the method `call` names, setting its status and response."""
        canonical, method = self.methods.get(call.method.lower(), (call.method, None))
        call.method = canonical
        if method is None:
            call.status, call.response = 404, error_body(404, "Not Found: method not found")
            return
        try:
            with self.cond:  # one call at a time changes the state (getUpdates waits)
                result = method(call)
            call.status, call.response = 200, {"ok": True, "result": result}
        except ApiError as error:
            call.status = error.error_code
            call.response = error_body(error.error_code, error.description)

    # ------------------------------------------------------------------ what users do

    def user(self, user_id: int, language_code: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language_code is not None:
            user["language_code"] = language_code
        return user

    def _chat(self, chat_id: int | str) -> dict[str, Any]:
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        if isinstance(chat_id, str):  # "@channelusername"
            return {"id": -1000000000001, "type": "channel", "username": chat_id.lstrip("@")}
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": f"Group{-chat_id}"}
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}

    def queue_message(
        self,
        fields: dict[str, Any],
        user_id: int,
        chat_id: int | None,
        language_code: str | None,
    ) -> dict[str, Any]:
        with self.cond:
            chat_key = user_id if chat_id is None else chat_id
            chat = self._chat(chat_key)
            self._chats.setdefault(chat_key, chat)
            message = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": chat,
                "from": self.user(user_id, language_code),
            }
            message.update(fields)
            self._messages[(chat_key, message["message_id"])] = message
            self.queue_update({"message": message})
            return message

    def callback_query(self, data: str, message: dict[str, Any], user_id: int,
                       language_code: str | None) -> dict[str, Any]:
        """Queue a press on a button of `message` (the latest version of it known)."""
        with self.cond:
            key = (chat_key(message["chat"]["id"]), message["message_id"])
            current = self._messages.get(key, message)
            query = {
                "id": f"cbq-{next(self._callback_ids)}",
                "from": self.user(user_id, language_code),
                "message": json.loads(json.dumps(current)),
                "chat_instance": f"instance-{key[0]}",
                "data": data,
            }
            self.queue_update({"callback_query": query})
        return query

    def queue_update(self, fields: dict[str, Any]) -> dict[str, Any]:
        with self.cond:
            update = {"update_id": self._next_update_id, **fields}
            self._next_update_id += 1
            self._updates.append(update)
            self.cond.notify_all()
        return update


    # ------------------------------------------------------------------ files

    def store_file(
        self, folder: str, data: bytes, extension: str, file_size: int | None = None
    ) -> StoredFile:
        number = next(self._file_numbers)
        stored = StoredFile(
            file_id=f"fake-{folder}-{number}",
            file_unique_id=f"uniq{number}",
            file_path=f"{folder}/file_{number}{extension}",
            data=data,
            file_size=len(data) if file_size is None else file_size,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def store_photo(
        self, sizes: list[bytes], dimensions: list[tuple[int, int]] | None = None
    ) -> list[dict[str, Any]]:
        photo = []
        for index, data in enumerate(sizes):
            stored = self.store_file("photos", data, ".jpg")
            width, height = dimensions[index] if dimensions else _image_size(data)
            photo.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": stored.file_size,
                }
            )
        for size in photo:
            self._photo_sizes[size["file_id"]] = photo
        return photo

    def store_document(
        self, data: bytes, file_name: str, mime_type: str, file_size: int | None = None
    ) -> dict[str, Any]:
        extension = os.path.splitext(os.path.basename(file_name))[1]
        stored = self.store_file("documents", data, extension, file_size)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": stored.file_size,
        }
        self._documents[stored.file_id] = document
        return dict(document)

    # ------------------------------------------------------------------ the methods
    # Each runs with self.cond held and returns the ``result`` (or raises ApiError).

    def _get_updates(self, call: Call) -> list[dict[str, Any]]:
        offset = int(call.params.get("offset") or 0)
        limit = min(max(int(call.params.get("limit") or 100), 1), 100)
        timeout = float(call.params.get("timeout") or 0)
        self._confirm(offset)
        deadline = time.monotonic() + min(max(timeout, 0.0), LONG_POLL_CAP)
        while not self._updates and not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self.cond.wait(remaining)
        return json.loads(json.dumps(self._updates[:limit]))  # a snapshot, not live dicts

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _delete_webhook(self, call: Call) -> bool:
        self._webhook_url = ""
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _set_webhook(self, call: Call) -> bool:
        self._webhook_url = str(call.params.get("url", ""))
        self._webhook_secret = str(call.params.get("secret_token", ""))
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        if self._webhook_url and self._webhook_thread is None:
            self._webhook_thread = threading.Thread(
                target=self._deliver_to_webhook, name="FakeTelegram:webhook", daemon=True
            )
            self._webhook_thread.start()
        self.cond.notify_all()
        return True

    def _deliver_to_webhook(self) -> None:
        """POST each pending update to the webhook until it is taken (HTTP 200)."""
        while not self._stopping.is_set():
            with self.cond:
                while not (self._webhook_url and self._updates) and not self._stopping.is_set():
                    self.cond.wait(0.5)
                if self._stopping.is_set():
                    return
                update, url, secret = self._updates[0], self._webhook_url, self._webhook_secret
                if self.replicas:  # round robin; one that fails is passed over next time
                    url = self.replicas[self._turn % len(self.replicas)]
                    self._turn += 1
            request = urllib.request.Request(
                url, data=json.dumps(update).encode(), method="POST",
                headers={"Content-Type": "application/json",
                         "X-Telegram-Bot-Api-Secret-Token": secret},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    outcome: int | str = response.status
            except urllib.error.HTTPError as error:
                outcome = error.code
            except OSError as error:  # refused, reset, timed out: the bot is not up (yet)
                outcome = type(error).__name__
            with self.cond:
                self.webhook_deliveries.append((update["update_id"], outcome))
                if outcome == 200:
                    self._updates = [u for u in self._updates if u is not update]
                    for sent in (update.get("message"), update.get("callback_query")):
                        if sent:
                            self.taken_by[taken_key(sent)] = url
            if outcome != 200:
                self._stopping.wait(0.2)  # Telegram waits longer; tests should not

    def _get_webhook_info(self, _call: Call) -> dict[str, Any]:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _get_file(self, call: Call) -> dict[str, Any]:
        stored = self._files.get(str(call.params.get("file_id", "")))
        if stored is None:
            raise ApiError("Bad Request: invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise ApiError("Bad Request: file is too big")
        return stored.as_file()

    @staticmethod
    def _commands_key(call: Call) -> tuple[str, str]:
        scope = call.params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(call.params.get("language_code", ""))

    def _set_my_commands(self, call: Call) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise ApiError('Bad Request: parameter "commands" is required')
        self._commands[self._commands_key(call)] = commands
        return True

    def _get_my_commands(self, call: Call) -> list[Any]:
        return list(self._commands.get(self._commands_key(call), []))

    def _delete_my_commands(self, call: Call) -> bool:
        self._commands.pop(self._commands_key(call), None)
        return True

    def _set_text(self, call: Call, kind: str) -> bool:
        self._texts[(kind, str(call.params.get("language_code", "")))] = str(
            call.params.get(kind, "")
        )
        return True

    def _get_text(self, call: Call, kind: str) -> dict[str, str]:
        language = str(call.params.get("language_code", ""))
        default = self.first_name if kind == "name" else ""
        text = self._texts.get((kind, language), self._texts.get((kind, ""), default))
        return {kind: text}

    def _get_chat(self, call: Call) -> dict[str, Any]:
        chat = self._chat(self._require_chat(call))
        chat.setdefault("accent_color_id", 0)
        chat.setdefault("max_reaction_count", 11)
        return chat

    def _require_chat(self, call: Call) -> int | str:
        chat_id = call.params.get("chat_id")
        if chat_id in (None, ""):
            raise ApiError("Bad Request: chat_id is empty")
        return chat_key(chat_id)

    def _send_chat_action(self, call: Call) -> bool:
        self._require_chat(call)
        if not call.params.get("action"):
            raise ApiError("Bad Request: wrong parameter action in request")
        return True

    def _bot_message(self, call: Call, fields: dict[str, Any]) -> dict[str, Any]:
        """Build and remember a message sent by the bot for ``call``."""
        chat_id = self._require_chat(call)
        reply_to = self._reply_target(call, chat_id)  # may refuse the call: check it first
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.bot_user,
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(fields)
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # only inline keyboards show up in messages
        self._messages[(chat_id, message["message_id"])] = message
        return json.loads(json.dumps(message))

    def _reply_target(self, call: Call, chat_id: int | str) -> dict[str, Any] | None:
        reply = call.params.get("reply_parameters")
        if reply is None and call.params.get("reply_to_message_id") is not None:
            reply = {"message_id": call.params["reply_to_message_id"]}
        if reply is None:
            return None
        target_chat = chat_key(reply.get("chat_id", chat_id))
        target = self._messages.get((target_chat, reply.get("message_id")))
        if target is None:
            if reply.get("allow_sending_without_reply") or call.params.get(
                "allow_sending_without_reply"
            ):
                return None
            raise ApiError("Bad Request: message to be replied not found")
        return {key: value for key, value in target.items() if key != "reply_to_message"}

    @staticmethod
    def _check_caption(call: Call) -> dict[str, Any]:
        caption = call.params.get("caption")
        if caption is None:
            return {}
        if len(caption) > MAX_CAPTION_LENGTH:
            raise ApiError("Bad Request: message caption is too long")
        return {"caption": caption}

    def _send_message(self, call: Call) -> dict[str, Any]:
        text = call.params.get("text")
        if text is None or not str(text).strip():
            raise ApiError("Bad Request: message text is empty")
        if len(str(text)) > MAX_TEXT_LENGTH:
            raise ApiError("Bad Request: message is too long")
        return self._bot_message(call, {"text": str(text)})

    def _photo_from(self, upload: bytes | None, reference: Any) -> list[dict[str, Any]]:
        if upload is not None:
            return self.store_photo([upload])
        reference = str(reference or "")
        if reference in self._photo_sizes:
            return self._photo_sizes[reference]
        if reference.startswith(("http://", "https://")):
            number = next(self._file_numbers)
            size = {"file_id": f"fake-url-{number}", "file_unique_id": f"uniq{number}"}
            return [{**size, "width": 0, "height": 0}]
        raise ApiError("Bad Request: wrong file identifier/HTTP URL specified")

    def _document_from(self, call: Call, field_name: str | None, reference: Any) -> dict[str, Any]:
        if field_name is not None and field_name in call.files:
            name = call.file_names.get(field_name) or "file"
            mime = call.file_types.get(field_name) or "application/octet-stream"
            return self.store_document(call.files[field_name], name, mime)
        stored = self._files.get(str(reference or ""))
        if stored is None:
            raise ApiError("Bad Request: wrong file identifier/HTTP URL specified")
        known = self._documents.get(stored.file_id)
        if known is not None:
            return dict(known)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
        }

    def _send_photo(self, call: Call) -> dict[str, Any]:
        self._require_chat(call)
        photo = self._photo_from(call.files.get("photo"), call.params.get("photo"))
        return self._bot_message(call, {"photo": photo, **self._check_caption(call)})

    def _send_document(self, call: Call) -> dict[str, Any]:
        self._require_chat(call)
        document = self._document_from(call, "document", call.params.get("document"))
        return self._bot_message(call, {"document": document, **self._check_caption(call)})

    def _send_media_group(self, call: Call) -> list[dict[str, Any]]:
        self._require_chat(call)
        media = call.params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError("Bad Request: wrong number of media specified")
        group_id = f"group{next(self._media_group_ids)}"
        messages = []
        for item in media:
            reference = str(item.get("media", ""))
            upload = name = None
            if reference.startswith("attach://"):
                name = reference[len("attach://") :]
                if name not in call.files:
                    raise ApiError("Bad Request: wrong file identifier/HTTP URL specified")
                upload = call.files[name]
            fields: dict[str, Any] = {"media_group_id": group_id}
            if item.get("type") == "photo":
                fields["photo"] = self._photo_from(upload, reference)
            elif item.get("type") == "document":
                fields["document"] = self._document_from(call, name, reference)
            else:
                raise ApiError(f"Bad Request: media type {item.get('type')!r} not supported")
            if item.get("caption") is not None:
                fields["caption"] = str(item["caption"])
            messages.append(self._bot_message(call, fields))
        return messages

    def _stored_message(self, call: Call) -> dict[str, Any] | None:
        """The message an edit* call targets, or None for inline messages."""
        if call.params.get("inline_message_id"):
            return None
        chat_id = self._require_chat(call)
        message = self._messages.get((chat_id, call.params.get("message_id")))
        if message is None:
            raise ApiError("Bad Request: message to edit not found")
        return message

    def _apply_edit(self, call: Call, message: dict[str, Any] | None, **fields: Any) -> Any:
        if message is None:
            return True
        message.update(fields)
        message["edit_date"] = int(time.time())
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return json.loads(json.dumps(message))

    def _edit_message_text(self, call: Call) -> Any:
        text = call.params.get("text")
        if text is None or not str(text).strip():
            raise ApiError("Bad Request: message text is empty")
        if len(str(text)) > MAX_TEXT_LENGTH:
            raise ApiError("Bad Request: message is too long")
        return self._apply_edit(call, self._stored_message(call), text=str(text))

    def _edit_message_caption(self, call: Call) -> Any:
        return self._apply_edit(call, self._stored_message(call), **self._check_caption(call))

    def _edit_message_reply_markup(self, call: Call) -> Any:
        return self._apply_edit(call, self._stored_message(call))

    def _delete_message(self, call: Call) -> bool:
        chat_id = self._require_chat(call)
        if self._messages.pop((chat_id, call.params.get("message_id")), None) is None:
            raise ApiError("Bad Request: message to delete not found")
        return True
