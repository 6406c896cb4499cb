"""A fake Telegram Bot API server: `/bot<token>/<method>` with the documented JSON envelope.

getUpdates honours offset and limit (confirmed updates are dropped, like the real server),
sendMessage records what it got and answers with a `Message`, getMe describes the bot, getFile
answers a `File` with a `file_path` that `/file/bot<token>/<file_path>` serves (files are added
with `add_file`; an unknown file_id is the real server's 400).
Fault switches follow the `ChannelFake` protocol; `conflict_next` adds Telegram's 409.
"""

from __future__ import annotations

import itertools
import json
import shutil
import tempfile
from datetime import UTC, datetime
from typing import Any

from tests.fakes.base import FakeServer, FaultSwitches, Request, Response, ServedFake

BOT_ID = 7000001
TOKEN = f"{BOT_ID}:AAF-fake-telegram-token_x9"
TOKEN_ENV = "ADUAN_TEST_TG_TOKEN"
BASE_TIME = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # messages are dated from here, a second apart


def _error(code: int, description: str, **parameters: Any) -> Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Response(code, body)


def _good_id(update: Any) -> bool:
    value = update.get("update_id") if isinstance(update, dict) else None
    return isinstance(value, int) and not isinstance(value, bool)


class TelegramFake(ServedFake, FaultSwitches):
    channel_type = "telegram"

    def __init__(self, name: str = "tg-test", page_size: int = 100, base_time: datetime = BASE_TIME):
        self.name = name
        self.page_size = page_size
        self.updates: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self._update_ids = itertools.count(500_000_001)
        self._message_ids = itertools.count(101)
        self._chats = itertools.count(880_001)
        self._clock = itertools.count(int(base_time.timestamp()))
        self._faults: dict[str, Any] = {}
        self.blocked_chats: set[int] = set()  # citizens who blocked the bot: sendMessage answers 403
        self._last_page: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self._served_broken: set[int] = set()
        self.attachments_dir = tempfile.mkdtemp(prefix="aduan-tg-files-")
        self.server = FakeServer(self.handle)
        self.base_url = self.server.base_url

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        shutil.rmtree(self.attachments_dir, ignore_errors=True)

    # -- ChannelFake ------------------------------------------------------------------------

    def channel_config(self) -> dict[str, Any]:
        return {"name": self.name, "type": "telegram", "enabled": True, "base_url": self.base_url,
                "bot_token_env": TOKEN_ENV, "page_size": self.page_size, "bot_username": "dukcapilbrebes_bot",
                "attachments_dir": self.attachments_dir}

    def env(self) -> dict[str, str]:
        return {TOKEN_ENV: TOKEN}

    def add_citizen_messages(self, count: int, chat_id: int | None = None) -> list[str]:
        ids = []
        for n in range(count):
            chat = chat_id if chat_id is not None else next(self._chats)
            message = self.message(chat, f"Min, KTP-el saya belum jadi sejak bulan lalu (pesan {n + 1})")
            self.push({"message": message})
            ids.append(f"{chat}:{message['message_id']}")
        return ids

    def add_own_message(self, chat_id: int = 880_000) -> str:
        message = self.message(chat_id, "Terima kasih, laporan Bapak/Ibu sedang kami proses.",
                               sender={"id": BOT_ID, "is_bot": True, "first_name": "Dukcapil Brebes",
                                       "username": "dukcapilbrebes_bot"})
        self.push({"message": message})
        return f"{chat_id}:{message['message_id']}"

    def messages_sent_dates(self) -> list[int]:
        return [sent["date"] for sent in self.sent]

    def add_malformed_item(self) -> None:
        self.push({"message": {"message_id": "not-a-number", "date": "kemarin", "text": "rusak"}})

    def rate_limit_next(self, retry_after_seconds: int) -> None:
        self._faults["rate_limit"] = retry_after_seconds

    def conflict_next(self) -> None:
        self._faults["conflict"] = True

    def fail_send(self, after: int = 0, code: int = 500) -> None:
        """After `after` accepted sendMessage calls, the next one is refused with `code` (not sent)."""
        self._faults["send_fail"] = [after, code]

    # -- payload builders -------------------------------------------------------------------

    def message(self, chat_id: int, text: str | None, sender: dict[str, Any] | None = None,
                date: int | None = None, **extra: Any) -> dict[str, Any]:
        sender = sender or {"id": chat_id, "is_bot": False, "first_name": "Wartini", "last_name": "Salem",
                            "username": f"warga{chat_id}", "language_code": "id"}
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "from": sender,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup",
                     "first_name": sender.get("first_name", "")},
            "date": date if date is not None else next(self._clock),
        }
        if text is not None:
            message["text"] = text
        message.update(extra)
        return message

    def add_file(self, data: bytes, file_id: str | None = None) -> dict[str, Any]:
        """Serve `data` through getFile; returns the fields a message's media object carries."""
        file_id = file_id or f"AgAC{len(self.files):04d}fakefile"
        self.files[file_id] = data
        return {"file_id": file_id, "file_unique_id": f"u{len(self.files)}", "file_size": len(data)}

    def business_message(self, chat_id: int, text: str | None, connection: str = "BCxyzFake01",
                         **extra: Any) -> dict[str, Any]:
        message = self.message(chat_id, text, **extra)
        message["business_connection_id"] = connection
        return message

    def push(self, payload: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self.updates.append({"update_id": update_id, **payload})
        return update_id

    # -- the server -------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.path.startswith(f"/file/bot{TOKEN}/"):
            file_id = request.path.rsplit("/", 1)[-1]
            if file_id not in self.files:
                return _error(404, "Not Found")
            return Response(200, raw=self.files[file_id], content_type="application/octet-stream")
        prefix, _, method = request.path.lstrip("/").partition("/")
        if prefix != f"bot{TOKEN}" or self._faults.get("expired"):
            return _error(401, "Unauthorized")
        params = self._params(request)
        if method == "getMe":
            return Response(200, {"ok": True, "result": {"id": BOT_ID, "is_bot": True,
                                                         "first_name": "Dukcapil Brebes",
                                                         "username": "dukcapilbrebes_bot"}})
        if method == "getUpdates":
            return self._get_updates(params)
        if method == "sendMessage":
            return self._send(params)
        if method == "getFile":
            file_id = str(params.get("file_id") or "")
            if file_id not in self.files:
                return _error(400, "Bad Request: invalid file_id")
            return Response(200, {"ok": True, "result": {"file_id": file_id, "file_unique_id": f"u-{file_id}",
                                                         "file_size": len(self.files[file_id]),
                                                         "file_path": f"documents/{file_id}"}})
        return _error(404, "Not Found: method not found")

    @staticmethod
    def _params(request: Request) -> dict[str, Any]:
        if request.body and "json" in request.headers.get("Content-Type", ""):
            return request.json()
        if request.body:
            return request.form()
        return {k: v[0] for k, v in request.query.items()}

    def _get_updates(self, params: dict[str, Any]) -> Response:
        if self._faults.pop("conflict", False):
            return _error(409, "Conflict: terminated by other getUpdates request; make sure that only one "
                               "bot instance is running")
        if "rate_limit" in self._faults:
            seconds = self._faults.pop("rate_limit")
            return _error(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        limit = int(params.get("limit") or 100)
        if self._faults.get("stuck"):
            page = [self._old_update(i) for i in range(limit)]
            return Response(200, {"ok": True, "result": page})
        if self._faults.pop("repeat", False) and self._last_page:
            return Response(200, {"ok": True, "result": self._last_page})
        offset = params.get("offset")
        if offset is not None:
            offset = int(offset)
            self.updates = self._unconfirmed(offset)  # confirmed: forgotten
        page = self.updates[:limit]
        self._served_broken |= {id(u) for u in page if not _good_id(u)}
        self._last_page = page
        return Response(200, {"ok": True, "result": page})

    def _unconfirmed(self, offset: int) -> list[dict[str, Any]]:
        """Updates at or above `offset`. One with a broken update_id (a hostile corpus item) goes with
        the next well-formed update after it, or, when it is last, once it has been served."""
        kept: list[dict[str, Any]] = []
        for index, update in enumerate(self.updates):
            if _good_id(update):
                if update["update_id"] >= offset:
                    kept.append(update)
                continue
            following = next((u for u in self.updates[index + 1:] if _good_id(u)), None)
            if following is not None and following["update_id"] >= offset or (
                    following is None and id(update) not in self._served_broken):
                kept.append(update)
        return kept

    def _old_update(self, index: int) -> dict[str, Any]:
        chat = 990_000 + index
        return {"update_id": 1 + index, "message": {"message_id": 1, "from": {"id": chat, "is_bot": False,
                "first_name": "Lama"}, "chat": {"id": chat, "type": "private"}, "date": next(self._clock),
                "text": "pesan lama"}}

    def _send(self, params: dict[str, Any]) -> Response:
        failing = self._faults.get("send_fail")
        if failing is not None:
            if failing[0] == 0:
                del self._faults["send_fail"]
                return _error(failing[1], "Internal Server Error" if failing[1] >= 500 else "Bad Request")
            failing[0] -= 1
        text = params.get("text") or ""
        if not 1 <= len(text) <= 4096:
            return _error(400, "Bad Request: message text is empty or too long")
        reply = params.get("reply_parameters")
        if isinstance(reply, str):
            reply = json.loads(reply)
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked_chats:
            return _error(403, "Forbidden: bot was blocked by the user")
        message = self.message(chat_id, text, sender={"id": BOT_ID, "is_bot": True,
                                                      "first_name": "Dukcapil Brebes"})
        self.sent.append({"chat_id": chat_id, "text": text, "reply_parameters": reply,
                          "business_connection_id": params.get("business_connection_id"),
                          "message_id": message["message_id"], "parse_mode": params.get("parse_mode"),
                          "date": message["date"]})
        return Response(200, {"ok": True, "result": message})
