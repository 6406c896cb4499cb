"""A practice API server shipped with aduan: the bundled sample messages spoken as the Telegram
Bot API, the X API v2 and the Graph API, on 127.0.0.1 with a free port.

The real collectors read from it and reply to it unchanged (only their `base_url` points
here), so `aduan demo` and the `sandbox` channel exercise the same code as production. It
is deliberately forgiving: any token is accepted, unknown read endpoints answer an empty
list, and every timestamp is shifted so the newest sample message is a little older than
the moment the server starts, by whole days (the inbox then looks like this week's).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ticketing.clock import parse_instant

SAMPLE_FILE = "data/sample_messages.json"
SANDBOX_TOKEN = "6100000001:sandbox-practice-token"  # Telegram tokens start with the bot's id
SHIFT_MARGIN = timedelta(minutes=30)  # the newest sample message is at least this old at start
X_PAGE_MAX = 100


def load_samples() -> dict[str, Any]:
    return json.loads(resources.files("collectors").joinpath(SAMPLE_FILE).read_text("utf-8"))


def _id_counter() -> itertools.count:
    """Ids for sent replies that stay unique across server restarts (the database remembers them)."""
    return itertools.count((int(time.time()) - 1_700_000_000) * 10)


class SampleData:
    """The samples with times moved to `now`, grouped the way each API needs them."""

    def __init__(self, data: dict[str, Any], now: datetime):
        anchor = parse_instant(data["anchor"])
        # Whole days, so messages keep their time of day (office hours stay office hours).
        self.shift = timedelta(days=((now - SHIFT_MARGIN) - anchor) // timedelta(days=1))
        self.office = data["office"]
        self.anchor = anchor + self.shift  # the samples' "now": their month is the demo's report month
        self.blocked_chats = {int(chat) for chat in data.get("telegram_blocked_chats", [])}
        self.messages = [dict(m, at=self.time(m["sent_at"])) for m in data["messages"]]
        self.posts = [dict(p, at=self.time(p["created_at"])) for p in data.get("facebook_posts", [])]

    def time(self, text: str) -> datetime:
        return (parse_instant(text) + self.shift).replace(microsecond=0)

    def of(self, channel_type: str, *kinds: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["channel_type"] == channel_type and (not kinds or m["kind"] in kinds)]


def _x_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _graph_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


class Reply:
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


class TelegramApi:
    """getUpdates / sendMessage / getMe over the samples."""

    def __init__(self, data: SampleData):
        office = data.office
        self.bot = {"id": office["telegram_bot_id"], "is_bot": True, "first_name": office["telegram_bot_name"],
                    "username": office["telegram_bot_username"]}
        self.updates = [self._update(710_000_001 + n, m) for n, m in enumerate(data.of("telegram"))]
        self.sent: list[dict[str, Any]] = []
        self.blocked = set(data.blocked_chats)  # citizens who blocked the bot: sendMessage answers 403
        self._ids = _id_counter()

    def _update(self, update_id: int, sample: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(sample["thread"])
        sender = self.bot if sample.get("from_office") else {
            "id": int(sample["author_id"]), "is_bot": False, "first_name": sample["author_name"],
            "username": sample["author_handle"], "language_code": "id"}
        chat = {"id": chat_id, "type": "private", "first_name": sample.get("author_name", "")}
        message: dict[str, Any] = {"message_id": sample["id"], "from": sender, "text": sample["text"],
                                   "chat": chat, "date": int(sample["at"].timestamp())}
        if sample.get("in_reply_to"):
            message["reply_to_message"] = {"message_id": sample["in_reply_to"], "chat": message["chat"],
                                           "date": message["date"]}
        if sample["kind"] == "command":
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(sample["text"])}]
        if sample["kind"] == "edit":
            edited_at = sample["at"] + (parse_instant(sample["edited_at"]) - parse_instant(sample["sent_at"]))
            message["edit_date"] = int(edited_at.timestamp())
            return {"update_id": update_id, "edited_message": message}
        return {"update_id": update_id, "message": message}

    def handle(self, method: str, params: dict[str, Any]) -> Reply:
        if method == "getMe":
            return Reply(200, {"ok": True, "result": self.bot})
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            limit = int(params.get("limit") or 100)
            page = [u for u in self.updates if u["update_id"] >= offset][:limit]
            return Reply(200, {"ok": True, "result": page})
        if method == "sendMessage":
            text = str(params.get("text") or "")
            if not 1 <= len(text) <= 4096:
                return Reply(400, {"ok": False, "error_code": 400,
                                   "description": "Bad Request: message text is empty or too long"})
            chat_id = int(params["chat_id"])
            if chat_id in self.blocked:
                return Reply(403, {"ok": False, "error_code": 403,
                                   "description": "Forbidden: bot was blocked by the user"})
            message = {"message_id": next(self._ids), "from": self.bot, "chat": {"id": chat_id, "type": "private"},
                       "date": int(time.time()), "text": text}
            self.sent.append({"chat_id": chat_id, "text": text, "reply_parameters": params.get("reply_parameters")})
            return Reply(200, {"ok": True, "result": message})
        return Reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})


class XApi:
    """Mentions timeline, DM events, the own account and replies, in X API v2 shapes."""

    def __init__(self, data: SampleData):
        office = data.office
        self.me = {"id": office["x_user_id"], "username": office["x_username"], "name": office["x_name"]}
        self.mentions = sorted((self._tweet(m) for m in data.of("x", "mention")), key=lambda t: -int(t["id"]))
        self.dms = sorted((self._dm(m) for m in data.of("x", "dm")), key=lambda e: -int(e["id"]))
        self.users = {m["author_id"]: {"id": m["author_id"], "username": m["author_handle"], "name": m["author_name"]}
                      for m in data.of("x") if not m.get("from_office")}
        self.users[self.me["id"]] = dict(self.me)
        self.sent: list[dict[str, Any]] = []
        self._ids = _id_counter()

    def _author(self, sample: dict[str, Any]) -> str:
        return self.me["id"] if sample.get("from_office") else sample["author_id"]

    def _tweet(self, sample: dict[str, Any]) -> dict[str, Any]:
        tweet = {"id": sample["id"], "text": sample["text"], "author_id": self._author(sample),
                 "created_at": _x_time(sample["at"]), "conversation_id": sample["thread"], "lang": "in",
                 "edit_history_tweet_ids": [sample["id"]],
                 "entities": {"mentions": [{"start": 0, "end": len(self.me["username"]) + 1,
                                            "username": self.me["username"], "id": self.me["id"]}]}}
        if sample.get("in_reply_to"):
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": sample["in_reply_to"]}]
            tweet["in_reply_to_user_id"] = self.me["id"]
        return tweet

    def _dm(self, sample: dict[str, Any]) -> dict[str, Any]:
        return {"id": sample["id"], "event_type": "MessageCreate", "text": sample["text"],
                "sender_id": self._author(sample), "dm_conversation_id": sample["thread"],
                "created_at": _x_time(sample["at"])}

    def _page(self, items: list[dict[str, Any]], key: str, params: dict[str, Any], id_bounds: bool) -> Reply:
        if id_bounds and params.get("since_id"):
            items = [i for i in items if int(i["id"]) > int(params["since_id"])]
        if id_bounds and params.get("until_id"):
            items = [i for i in items if int(i["id"]) < int(params["until_id"])]
        size = min(int(params.get("max_results") or 10), X_PAGE_MAX)
        start = int(str(params.get("pagination_token") or "p0")[1:] or 0)
        page = items[start:start + size]
        users = {i.get(key) for i in page}
        body: dict[str, Any] = {"meta": {"result_count": len(page)}}
        if page:
            body["data"] = page
            body["includes"] = {"users": [self.users[u] for u in users if u in self.users]}
            if id_bounds:
                body["meta"].update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if start + size < len(items):
            body["meta"]["next_token"] = f"p{start + size}"
        return Reply(200, body, {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449",
                                 "x-rate-limit-reset": str(int(time.time()) + 900)})

    def handle(self, method: str, path: str, params: dict[str, Any]) -> Reply:
        if method == "GET" and path == "/2/users/me":
            return Reply(200, {"data": self.me})
        if method == "GET" and re.fullmatch(r"/2/users/\d+/mentions", path):
            return self._page(self.mentions, "author_id", params, id_bounds=True)
        if method == "GET" and path.startswith("/2/dm_"):
            return self._page(self.dms, "sender_id", params, id_bounds=False)
        found = re.fullmatch(r"/2/tweets/(\d+)", path)
        if method == "GET" and found:
            tweet = next((t for t in self.mentions if t["id"] == found.group(1)), None)
            return Reply(200, {"data": tweet}) if tweet else Reply(404, {"title": "Not Found Error", "status": 404,
                                                                         "detail": "Could not find tweet"})
        if method == "POST" and path == "/2/tweets":
            tweet_id = str(1_869_000_000_000_000_000 + next(self._ids))
            self.sent.append({"kind": "tweet", **params})
            return Reply(201, {"data": {"id": tweet_id, "text": params.get("text", ""),
                                        "edit_history_tweet_ids": [tweet_id]}})
        found = re.fullmatch(r"/2/dm_conversations/(?:with/)?([\d-]+)/messages", path)
        if method == "POST" and found:
            event_id = str(1_869_500_000_000_000_000 + next(self._ids))
            self.sent.append({"kind": "dm", "target": found.group(1), **params})
            return Reply(201, {"data": {"dm_conversation_id": found.group(1), "dm_event_id": event_id}})
        if method == "GET" and path.startswith("/2/"):
            return Reply(200, {"data": [], "meta": {"result_count": 0}})
        return Reply(404, {"title": "Not Found Error", "status": 404, "detail": f"no sandbox route {path}"})


class GraphApi:
    """A Facebook Page's Messenger conversations and feed with comments, in Graph API shapes."""

    def __init__(self, data: SampleData):
        office = data.office
        self.page = {"id": office["facebook_page_id"], "name": office["facebook_page_name"]}
        self.conversations = self._conversations(data.of("facebook", "messenger"))
        self.posts = [self._post(p, data.of("facebook", "comment")) for p in sorted(data.posts, key=lambda p: p["at"],
                                                                                      reverse=True)]
        self.sent: list[dict[str, Any]] = []
        self._ids = _id_counter()

    def _person(self, sample: dict[str, Any]) -> dict[str, Any]:
        if sample.get("from_office"):
            return dict(self.page)
        return {"id": sample["author_id"], "name": sample["author_name"]}

    def _conversations(self, samples: list[dict[str, Any]]) -> list[dict[str, Any]]:
        threads: dict[str, list[dict[str, Any]]] = {}
        for sample in samples:
            threads.setdefault(sample["thread"], []).append(sample)
        result = []
        for cid, items in threads.items():
            items.sort(key=lambda m: m["at"], reverse=True)
            citizen = next(self._person(m) for m in items if not m.get("from_office"))
            messages = [{"id": m["id"], "created_time": _graph_time(m["at"]), "from": self._person(m),
                         "to": {"data": [self.page if not m.get("from_office") else citizen]},
                         "message": m["text"]} for m in items]
            result.append({"id": cid, "updated_time": messages[0]["created_time"],
                           "participants": {"data": [citizen, dict(self.page)]}, "messages": {"data": messages}})
        return sorted(result, key=lambda c: c["updated_time"], reverse=True)

    def _post(self, post: dict[str, Any], comments: list[dict[str, Any]]) -> dict[str, Any]:
        mine = sorted((c for c in comments if c["thread"] == post["id"]), key=lambda c: c["at"], reverse=True)
        data = []
        for c in mine:
            item = {"id": c["id"], "message": c["text"], "created_time": _graph_time(c["at"]), "from": self._person(c)}
            if c.get("in_reply_to"):
                item["parent"] = {"id": c["in_reply_to"]}
            data.append(item)
        updated = data[0]["created_time"] if data else _graph_time(post["at"])
        return {"id": post["id"], "message": post["text"], "created_time": _graph_time(post["at"]),
                "updated_time": updated, "from": dict(self.page), "comments": {"data": data}}

    def handle(self, method: str, path: str, params: dict[str, Any]) -> Reply:
        parts = [p for p in path.split("/") if p]
        if parts and re.fullmatch(r"v\d+\.\d+", parts[0]):
            parts = parts[1:]
        if method == "POST":
            return self._post_call(parts, params)
        if parts in ([self.page["id"]], ["me"]):
            return Reply(200, dict(self.page))
        if parts == [self.page["id"], "conversations"]:
            platform = params.get("platform", "messenger")
            return Reply(200, {"data": self.conversations if platform == "messenger" else []})
        if parts == [self.page["id"], "feed"]:
            return Reply(200, {"data": self.posts})
        conversation = next((c for c in self.conversations if parts and c["id"] == parts[0]), None)
        if conversation is not None:
            return Reply(200, conversation["messages"] if parts[1:] == ["messages"] else conversation)
        post = next((p for p in self.posts if parts and p["id"] == parts[0]), None)
        if post is not None:
            return Reply(200, post["comments"] if parts[1:] == ["comments"] else post)
        if len(parts) == 2:
            return Reply(200, {"data": []})  # an edge the samples do not cover (IG media, tags, ...)
        return Reply(400, {"error": {"message": f"Unsupported get request: {'/'.join(parts)}",
                                     "type": "GraphMethodException", "code": 100, "error_subcode": 33}})

    def _post_call(self, parts: list[str], params: dict[str, Any]) -> Reply:
        self.sent.append({"path": "/".join(parts), **{k: v for k, v in params.items() if k != "access_token"}})
        if parts == [self.page["id"], "messages"]:
            recipient = params.get("recipient")
            recipient = json.loads(recipient) if isinstance(recipient, str) else recipient or {}
            return Reply(200, {"recipient_id": recipient.get("id", ""), "message_id": f"m_sbx_{next(self._ids)}"})
        if len(parts) == 2 and parts[1] in ("comments", "replies"):
            return Reply(200, {"id": f"{parts[0].split('_')[0]}_{next(self._ids)}"})
        return Reply(400, {"error": {"message": "Unsupported post request", "type": "GraphMethodException",
                                     "code": 100}})


class SandboxServer:
    """The three APIs behind one port: `/bot<token>/...` Telegram, `/2/...` X, the rest Graph."""

    def __init__(self, now: datetime | None = None, data: dict[str, Any] | None = None):
        samples = SampleData(data or load_samples(), now or datetime.now(UTC))
        self.samples = samples
        self.telegram, self.x, self.graph = TelegramApi(samples), XApi(samples), GraphApi(samples)
        self.mails_sent: list[dict[str, Any]] = []  # replies of the sandbox-email channel (no SMTP involved)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.dispatch))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="aduan-sandbox", daemon=True)

    def start(self) -> SandboxServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() waits for serve_forever, which never ran otherwise
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def dispatch(self, method: str, path: str, params: dict[str, Any]) -> Reply:
        with self._lock:
            found = re.fullmatch(r"/bot[^/]+/(\w+)", path)
            if found:
                return self.telegram.handle(found.group(1), params)
            if path.startswith("/2/"):
                return self.x.handle(method, path, params)
            return self.graph.handle(method, path, params)


def _params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    params: dict[str, Any] = {k: v[0] for k, v in parse_qs(query).items()}
    if body and "json" in content_type:
        loaded = json.loads(body)
        if isinstance(loaded, dict):
            params.update(loaded)
    elif body:
        params.update({k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()})
    return params


def _handler(dispatch: Callable[[str, str, dict[str, Any]], Reply]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                reply = dispatch(self.command, parts.path, _params(parts.query, body,
                                                                   self.headers.get("Content-Type", "")))
            except (ValueError, KeyError, TypeError) as exc:
                reply = Reply(400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}",
                                    "error": {"message": f"bad request: {exc}", "code": 100}})
            payload = json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, *args) -> None:
            pass

    return Handler
