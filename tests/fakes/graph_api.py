"""A fake Graph API for the Facebook Page and Instagram collectors.

Speaks the wire format facebook-sdk sees from graph.facebook.com: versioned paths (`/v23.0/...`),
the token in the query string (GET) or the form body (POST), `appsecret_proof` checked when the
app "requires" it, `{"data": [...], "paging": {"cursors": ..., "next": ...}}` pages whose `next`
URL carries `access_token` like the real one, error bodies with `code`/`error_subcode`, and
`X-Business-Use-Case-Usage` headers. Sends are recorded and show up in later reads.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.fakes.base import FakeServer, FaultSwitches, Request, Response, ServedFake

VERSION = "v23.0"
PAGE_ID = "104857600123456"
PAGE_NAME = "Disdukcapil Kabupaten Brebes"
IG_USER_ID = "17841400000000001"
IG_USERNAME = "dukcapilbrebes"
TOKEN = "EAAGm0PX4ZCpsBO-fake-page-token-7Qw9"
APP_SECRET = "fake-graph-app-secret-5be1c0"
TOKEN_ENV, SECRET_ENV = "ADUAN_TEST_FB_PAGE_TOKEN", "ADUAN_TEST_FB_APP_SECRET"
BASE_TIME = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)  # new items are dated from here, a minute apart
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "graph"
ERRORS = json.loads((FIXTURES / "errors.json").read_text(encoding="utf-8"))
STUCK = "QVFIUnN0dWNrX2N1cnNvcg"


def graph_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def proof_for(token: str = TOKEN, secret: str = APP_SECRET) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def _cursor(offset: int, salt: int = 0) -> str:
    return base64.urlsafe_b64encode(f"cursor:{offset}:{salt}".encode()).decode().rstrip("=")


def _offset(token: str | None) -> int:
    if not token:
        return 0
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    return int(raw.split(":")[1])


class GraphFake(ServedFake, FaultSwitches):
    """What the Facebook and Instagram fakes share: auth, paging, faults, conversations, sends."""

    channel_type: str | None = None  # the concrete fakes below name their channel
    platform = "messenger"

    def __init__(self, name: str, page_size: int = 2, require_proof: bool = True, start: datetime = BASE_TIME):
        self.name, self.page_size, self.require_proof = name, page_size, require_proof
        self.conversations: dict[str, dict[str, Any]] = {}
        self.sent: list[dict[str, Any]] = []
        self._time = itertools.count()
        self._start = start
        self._ids = itertools.count(1001)
        self._faults: dict[str, Any] = {}
        self._last_listing: dict[str, dict[str, Any]] = {}
        self.server = FakeServer(self.handle)
        self.base_url = self.server.base_url

    # -- ChannelFake --------------------------------------------------------------------------

    def channel_config(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.channel_type, "enabled": True, "base_url": self.base_url,
                "graph_version": VERSION, "page_id": PAGE_ID, "page_token_env": TOKEN_ENV,
                "app_secret_env": SECRET_ENV, "page_size": self.page_size}

    def env(self) -> dict[str, str]:
        return {TOKEN_ENV: TOKEN, SECRET_ENV: APP_SECRET}

    def add_citizen_messages(self, count: int) -> list[str]:
        return [self.add_dm(f"Min, pengajuan KK saya belum ada kabar sejak minggu lalu (pesan {n + 1})")
                for n in range(count)]

    def add_own_message(self) -> str:
        cid = next(iter(self._newest_conversations()), None) or self.new_conversation()
        return self.add_dm("Terima kasih, laporan Bapak/Ibu sedang kami proses.", conversation=cid, own=True)

    def add_malformed_item(self) -> None:
        cid = self.new_conversation()
        self.conversations[cid]["messages"].append({"id": f"m_rusak{next(self._ids)}", "from": "bukan-objek",
                                                    "message": 42})
        self.conversations[cid]["updated_time"] = self.tick()

    def rate_limit_next(self, retry_after_seconds: int) -> None:
        minutes = max(1, math.ceil(retry_after_seconds / 60))
        usage = {self.owner_id: [{"type": self.usage_type, "call_count": 100, "total_cputime": 14, "total_time": 22,
                                  "estimated_time_to_regain_access": minutes}]}
        self.fail_next(self.rate_limit_error, headers={"X-Business-Use-Case-Usage": json.dumps(usage)})

    # -- more switches for the channel's own tests ----------------------------------------------

    def fail_next(self, error: str | dict[str, Any], status: int = 400, headers: dict[str, str] | None = None,
                  method: str | None = None) -> None:
        """The next request (of `method`, if given) answers this Graph error (an errors.json key or a body)."""
        body = ERRORS[error] if isinstance(error, str) else error
        self._faults["next"] = (method, Response(status, body, headers))

    def raw_next(self, status: int, raw: bytes, content_type: str) -> None:
        self._faults["next"] = (None, Response(status, raw=raw, content_type=content_type))

    # -- state builders ---------------------------------------------------------------------------

    def tick(self, at: datetime | None = None) -> str:
        return graph_time(at or self._start + timedelta(minutes=next(self._time)))

    def citizen(self, n: int) -> dict[str, Any]:
        raise NotImplementedError

    def own_author(self) -> dict[str, Any]:
        raise NotImplementedError

    def new_conversation(self, citizen: dict[str, Any] | None = None) -> str:
        n = next(self._ids)
        cid = self.conversation_id(n)
        self.conversations[cid] = {"id": cid, "participants": [citizen or self.citizen(n), self.own_author()],
                                   "messages": [], "updated_time": self.tick()}
        return cid

    def add_dm(self, text: str, conversation: str | None = None, own: bool = False,
               at: datetime | None = None) -> str:
        cid = conversation or self.new_conversation()
        conv = self.conversations[cid]
        sender, other = (conv["participants"][1], conv["participants"][0]) if own else conv["participants"]
        mid = self.message_id(next(self._ids))
        when = self.tick(at)
        conv["messages"].append({"id": mid, "created_time": when, "from": sender, "to": {"data": [other]},
                                 "message": text})
        conv["updated_time"] = max(conv["updated_time"], when) if at is None else when
        return mid

    def load_conversations(self, name: str) -> None:
        for conv in load_fixture(name)["data"]:
            self.conversations[conv["id"]] = {"id": conv["id"], "participants": conv["participants"]["data"],
                                              "messages": list(reversed(conv["messages"]["data"])),
                                              "updated_time": conv["updated_time"]}

    def _newest_conversations(self) -> list[str]:
        return [c["id"] for c in sorted(self.conversations.values(), key=lambda c: (c["updated_time"], c["id"]),
                                        reverse=True)]

    # -- the server -------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        params = request.form() if request.method == "POST" else {k: v[0] for k, v in request.query.items()}
        problem = self._check(request, params)
        if problem is not None:
            return problem
        parts = request.path.strip("/").split("/")[1:]
        response = self.route(request.method, parts, params, request.path)
        if response is None:
            return Response(400, {"error": {"message": "Unknown path components: /" + "/".join(parts),
                                            "type": "OAuthException", "code": 2500, "fbtrace_id": "Zfake"}})
        return response

    def _check(self, request: Request, params: dict[str, str]) -> Response | None:
        method, failure = self._faults.get("next", (None, None))
        if failure is not None and method in (None, request.method):
            del self._faults["next"]
            return failure
        if self._faults.get("expired"):
            return Response(400, ERRORS["expired_token"])
        version = request.path.strip("/").split("/")[0]
        if version != VERSION:
            return Response(400, {"error": {"message": f"(#12) version {version} is not served here",
                                            "type": "OAuthException", "code": 12}})
        if params.get("access_token") != TOKEN:
            return Response(400, ERRORS["invalid_token"])
        if self.require_proof and "appsecret_proof" not in params:
            return Response(400, ERRORS["missing_proof"])
        if self.require_proof and params["appsecret_proof"] != proof_for():
            return Response(400, ERRORS["invalid_proof"])
        return None

    def route(self, method: str, parts: list[str], params: dict[str, str], path: str) -> Response | None:
        if method == "POST" and parts == [PAGE_ID, "messages"]:
            return self._send_message(params)
        if method == "GET" and parts == [PAGE_ID, "conversations"] and params.get("platform") == self.platform:
            user = params.get("user_id")  # the conversation with one user, as webhook processing asks
            items = [self._conversation_view(cid) for cid in self._newest_conversations()
                     if not user or any(p["id"] == user for p in self.conversations[cid]["participants"])]
            return self.page(items, params, path, listing=True)
        if method == "GET" and len(parts) == 2 and parts[0] in self.conversations and parts[1] == "messages":
            return self.page(self._messages_view(parts[0]), params, path)
        if method == "GET" and len(parts) == 1 and parts[0] in self.conversations:
            view = self._conversation_view(parts[0])
            view["messages"] = {"data": self._messages_view(parts[0])[:25]}
            return Response(200, view)
        return None

    def _conversation_view(self, cid: str) -> dict[str, Any]:
        conv = self.conversations[cid]
        messages = self.page(self._messages_view(cid), {"limit": str(self.page_size)},
                             f"/{VERSION}/{cid}/messages").body
        return {"id": cid, "updated_time": conv["updated_time"], "participants": {"data": conv["participants"]},
                "messages": messages}

    def _messages_view(self, cid: str) -> list[dict[str, Any]]:
        return list(reversed(self.conversations[cid]["messages"]))

    def _send_message(self, params: dict[str, str]) -> Response:
        recipient, message = json.loads(params["recipient"]), json.loads(params["message"])
        target = next((c for c in self.conversations.values()
                       if any(p["id"] == recipient.get("id") for p in c["participants"])), None)
        if target is None:
            return Response(400, {"error": {"message": "(#100) No matching user found", "type": "OAuthException",
                                            "code": 100, "error_subcode": 2018001}})
        mid = self.add_dm(message["text"], conversation=target["id"], own=True)
        self.sent.append({"kind": "message", "recipient": recipient, "text": message["text"], "id": mid,
                          "messaging_type": params.get("messaging_type"), "tag": params.get("tag")})
        return Response(200, {"recipient_id": recipient.get("id"), "message_id": mid})

    def page(self, items: list[dict[str, Any]], params: dict[str, str], path: str,
             listing: bool = False) -> Response:
        """One page of an edge with cursors and a `next` URL that carries the token, like Graph's."""
        if listing and path in self._last_listing and self._faults.pop("repeat", False):
            return Response(200, self._last_listing[path])
        limit = min(int(params.get("limit") or self.page_size), self.page_size)
        after = params.get("after")
        start = 0 if after == STUCK else _offset(after)
        chunk = items[start:start + limit]
        body: dict[str, Any] = {"data": chunk}
        if chunk or after:
            body["paging"] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(chunk))}}
        next_token = STUCK if listing and self._faults.get("stuck") else (
            _cursor(start + limit) if start + limit < len(items) else None)
        if next_token:
            query = {k: v for k, v in params.items() if k not in ("after", "appsecret_proof")}
            query.setdefault("access_token", TOKEN)
            query["after"] = next_token
            body.setdefault("paging", {"cursors": {}})["next"] = f"{self.base_url}{path}?{urlencode(query)}"
        if listing:
            self._last_listing[path] = body
        return Response(200, body)


class FacebookFake(GraphFake):
    """A Facebook Page: Messenger conversations, the feed with comments, comment replies."""

    channel_type = "facebook"
    owner_id, usage_type, rate_limit_error = PAGE_ID, "pages", "buc_page_rate_limit"

    def __init__(self, name: str = "fb-test", **kwargs: Any):
        super().__init__(name, **kwargs)
        self.posts: dict[str, dict[str, Any]] = {}

    def citizen(self, n: int) -> dict[str, Any]:
        psid = f"73519820{n:08d}"
        return {"name": f"Warga Brebes {n}", "email": f"{psid}@facebook.com", "id": psid}

    def own_author(self) -> dict[str, Any]:
        return {"name": PAGE_NAME, "email": f"{PAGE_ID}@facebook.com", "id": PAGE_ID}

    def conversation_id(self, n: int) -> str:
        return f"t_1016395885{n:07d}"

    def message_id(self, n: int) -> str:
        return "m_" + base64.urlsafe_b64encode(f"mid.$cAAB{n:012d}".encode()).decode().rstrip("=")

    def load_fixtures(self) -> None:
        self.load_conversations("messenger_conversations")
        for post in load_fixture("page_feed")["data"]:
            comments = sorted(post.pop("comments", {"data": []})["data"], key=lambda c: c["created_time"])
            self.posts[post["id"]] = {**post, "comment_list": comments}

    def add_post(self, text: str, by_page: bool = True, at: datetime | None = None) -> str:
        pid = f"{PAGE_ID}_{next(self._ids):016d}"
        when = self.tick(at)
        author = {"name": PAGE_NAME, "id": PAGE_ID} if by_page else {"name": "Warga Pengirim", "id": "3390128800000001"}
        self.posts[pid] = {"id": pid, "message": text, "created_time": when, "updated_time": when, "from": author,
                           "comment_list": []}
        return pid

    def add_comment(self, post_id: str, text: str, parent: str | None = None, by_page: bool = False,
                    at: datetime | None = None) -> str:
        post = self.posts[post_id]
        cid = f"{post_id.split('_')[1]}_{next(self._ids):015d}"
        when = self.tick(at)
        author = {"name": PAGE_NAME, "id": PAGE_ID} if by_page else {"name": "Dewi Lestari", "id": "5512093847711023"}
        comment = {"id": cid, "message": text, "created_time": when, "from": author}
        if parent:
            comment["parent"] = {"id": parent}
        post["comment_list"].append(comment)
        post["updated_time"] = max(post["updated_time"], when)
        return cid

    def route(self, method: str, parts: list[str], params: dict[str, str], path: str) -> Response | None:
        if method == "GET" and parts in ([PAGE_ID], ["me"]):
            return Response(200, {"id": PAGE_ID, "name": PAGE_NAME})
        if method == "GET" and parts == [PAGE_ID, "feed"]:
            posts = sorted(self.posts.values(), key=lambda p: p["created_time"], reverse=True)
            return self.page([self._post_view(p) for p in posts], params, path, listing=True)
        if len(parts) == 2 and parts[1] == "comments":
            post_id, parent = self._comment_target(parts[0])
            if post_id is None:
                return None
            if method == "POST":
                cid = self.add_comment(post_id, params["message"], parent=parent, by_page=True)
                self.sent.append({"kind": "comment", "target": parts[0], "text": params["message"], "id": cid})
                return Response(200, {"id": cid})
            return self.page(self._comments_view(post_id), params, path)
        return super().route(method, parts, params, path)

    def _comment_target(self, object_id: str) -> tuple[str | None, str | None]:
        if object_id in self.posts:
            return object_id, None
        for post_id, post in self.posts.items():
            for comment in post["comment_list"]:
                if comment["id"] == object_id:
                    return post_id, (comment.get("parent") or {}).get("id") or object_id
        return None, None

    def _comments_view(self, post_id: str) -> list[dict[str, Any]]:
        return sorted(self.posts[post_id]["comment_list"], key=lambda c: c["created_time"], reverse=True)

    def _post_view(self, post: dict[str, Any]) -> dict[str, Any]:
        view = {k: v for k, v in post.items() if k != "comment_list"}
        if post["comment_list"]:
            view["comments"] = self.page(self._comments_view(post["id"]), {"limit": str(self.page_size)},
                                         f"/{VERSION}/{post['id']}/comments").body
        return view


class InstagramFake(GraphFake):
    """An Instagram professional account: DMs, comments (with replies) on our media, tagged media."""

    channel_type = "instagram"
    platform = "instagram"
    owner_id, usage_type, rate_limit_error = IG_USER_ID, "instagram", "buc_instagram_rate_limit"

    def __init__(self, name: str = "ig-test", **kwargs: Any):
        super().__init__(name, **kwargs)
        self.media: dict[str, dict[str, Any]] = {}
        self.tags: list[dict[str, Any]] = []

    def channel_config(self) -> dict[str, Any]:
        return {**super().channel_config(), "ig_user_id": IG_USER_ID, "username": IG_USERNAME}

    def citizen(self, n: int) -> dict[str, Any]:
        return {"username": f"warga_brebes{n}", "id": f"60234188{n:08d}"}

    def own_author(self) -> dict[str, Any]:
        return {"username": IG_USERNAME, "id": IG_USER_ID}

    def conversation_id(self, n: int) -> str:
        return base64.b64encode(f"ig_d:1:IGMessageThread:{IG_USER_ID}:{n:020d}".encode()).decode().rstrip("=")

    def message_id(self, n: int) -> str:
        return base64.b64encode(f"ig_item:1:IGMessageID:{IG_USER_ID}:{n:024d}".encode()).decode().rstrip("=")

    def load_fixtures(self) -> None:
        self.load_conversations("instagram_conversations")
        for media in load_fixture("instagram_media")["data"]:
            comments = media.pop("comments", {"data": []})["data"]
            for comment in comments:
                comment["reply_list"] = comment.pop("replies", {"data": []})["data"]
            self.media[media["id"]] = {**media, "comment_list": comments}
        self.tags.extend(load_fixture("instagram_tags")["data"])

    def add_media(self, caption: str, at: datetime | None = None) -> str:
        media_id = f"1802771945{next(self._ids):07d}"
        self.media[media_id] = {"id": media_id, "caption": caption, "timestamp": self.tick(at),
                                "permalink": f"https://www.instagram.com/p/D{media_id[-6:]}/", "comment_list": []}
        return media_id

    def add_comment(self, media_id: str, text: str, parent: str | None = None, own: bool = False,
                    at: datetime | None = None) -> str:
        author = self.own_author() if own else {"username": "bagus_setiawan92", "id": "17841455500000002"}
        cid = f"1795882341{next(self._ids):07d}"
        comment = {"id": cid, "text": text, "timestamp": self.tick(at), "username": author["username"], "from": author}
        if parent:
            top = next(c for c in self.media[media_id]["comment_list"] if c["id"] == parent)
            top["reply_list"].append({**comment, "parent_id": parent})
        else:
            self.media[media_id]["comment_list"].append({**comment, "reply_list": []})
        return cid

    def add_tag(self, caption: str, username: str = "rina.marlina_", at: datetime | None = None) -> str:
        media_id = f"1809334455{next(self._ids):07d}"
        self.tags.insert(0, {"id": media_id, "caption": caption, "timestamp": self.tick(at), "username": username,
                             "permalink": f"https://www.instagram.com/p/T{media_id[-6:]}/", "media_type": "IMAGE"})
        return media_id

    def route(self, method: str, parts: list[str], params: dict[str, str], path: str) -> Response | None:
        if method == "GET" and parts == [IG_USER_ID]:
            return Response(200, {"id": IG_USER_ID, "username": IG_USERNAME, "name": PAGE_NAME})
        if method == "GET" and parts == [IG_USER_ID, "media"]:
            media = sorted(self.media.values(), key=lambda m: m["timestamp"], reverse=True)
            return self.page([self._media_view(m) for m in media], params, path, listing=True)
        if method == "GET" and parts == [IG_USER_ID, "tags"]:
            return self.page(sorted(self.tags, key=lambda t: t["timestamp"], reverse=True), params, path, listing=True)
        if len(parts) == 2 and parts[0] in self.media and parts[1] == "comments":
            if method == "POST":
                return Response(400, {"error": {"message": "(#10) Application does not have permission",
                                                "type": "OAuthException", "code": 10}})
            return self.page([self._comment_view(c) for c in self.media[parts[0]]["comment_list"]], params, path)
        if len(parts) == 2 and parts[1] == "replies":
            top = self._find_comment(parts[0])
            if top is None:
                return None
            if method == "POST":
                reply = self.add_comment(top[0], params["message"], parent=top[1]["id"], own=True)
                self.sent.append({"kind": "reply", "target": parts[0], "text": params["message"], "id": reply})
                return Response(200, {"id": reply})
            return self.page(top[1]["reply_list"], params, path)
        return super().route(method, parts, params, path)

    def _find_comment(self, comment_id: str) -> tuple[str, dict[str, Any]] | None:
        for media_id, media in self.media.items():
            for comment in media["comment_list"]:
                if comment["id"] == comment_id or any(r["id"] == comment_id for r in comment["reply_list"]):
                    return media_id, comment
        return None

    def _comment_view(self, comment: dict[str, Any]) -> dict[str, Any]:
        view = {k: v for k, v in comment.items() if k != "reply_list"}
        if comment["reply_list"]:
            view["replies"] = self.page(comment["reply_list"], {"limit": str(self.page_size)},
                                        f"/{VERSION}/{comment['id']}/replies").body
        return view

    def _media_view(self, media: dict[str, Any]) -> dict[str, Any]:
        view = {k: v for k, v in media.items() if k != "comment_list"}
        view["comments_count"] = len(media["comment_list"]) + sum(len(c["reply_list"]) for c in media["comment_list"])
        if media["comment_list"]:
            view["comments"] = self.page([self._comment_view(c) for c in media["comment_list"]],
                                         {"limit": str(self.page_size)}, f"/{VERSION}/{media['id']}/comments").body
        return view


CHANNEL_FAKES = [FacebookFake, InstagramFake]
