"""A fake X API v2 server speaking the real wire format, for tweepy to talk to.

Serves `/2/users/me`, `/2/users/:id/mentions`, `/2/tweets/:id`, `/2/dm_events`, `POST /2/tweets`
and the two DM send endpoints. Every response carries the rate-limit headers; 401/403/429
bodies are X's problem details (tests/fixtures/x/errors.json). Fields appear only when the
client asks for them (`tweet.fields`, `dm_event.fields`, `expansions`), as on the real API, so
a collector that forgets a field finds out here. Authentication is checked the way X does it
in spirit (app-only bearer vs user context) but OAuth 1.0a signatures are not verified: tweepy
signs for api.twitter.com before the request is redirected here.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.fakes.base import FakeServer, Request, Response, ServedFake

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x"
OFFICE_ID = "1300000000000000001"
OFFICE_USERNAME = "dindukcapilbbs"
OFFICE_NAME = "Dindukcapil Kab. Brebes"
BEARER = "AAAAAAAAAAAAAAAAAAAAAFakeBearerCanary7Qz%2Bx9"
CONSUMER_KEY = "ck-FakeConsumerCanary31"
CONSUMER_SECRET = "cs-FakeConsumerSecretCanary77"
ACCESS_TOKEN = f"{OFFICE_ID}-FakeAccessTokenCanary58"
ACCESS_TOKEN_SECRET = "ats-FakeAccessSecretCanary90"
ENV_NAMES = {
    "bearer_token_env": "ADUAN_TEST_X_BEARER", "consumer_key_env": "ADUAN_TEST_X_CONSUMER_KEY",
    "consumer_secret_env": "ADUAN_TEST_X_CONSUMER_SECRET", "access_token_env": "ADUAN_TEST_X_ACCESS_TOKEN",
    "access_token_secret_env": "ADUAN_TEST_X_ACCESS_SECRET",
}
LIMITS = {"mentions": 450, "dm_events": 15, "users_me": 75, "tweet_lookup": 450, "create_tweet": 100, "create_dm": 15}
WINDOW = timedelta(minutes=15)
CITIZEN_TEXTS = [
    "@{office} min, e-KTP sy rusak kena air, cetak ulangnya hrs bawa apa aja?",
    "@{office} kok antrean online KIA penuh terus ya min, dari minggu lalu ga bisa daftar",
    "@{office} mau tanya, ganti alamat di KK setelah pindah RT harus ke kecamatan atau ke dinas?",
    "@{office} data NIK sy ga padan di BPJS, katanya harus ke dukcapil. gmn caranya min?",
    "@{office} akta kematian bapak sy blm jadi, sdh 2 minggu. mohon dibantu 🙏",
]


def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def x_time(moment: datetime) -> str:
    """X's timestamp format: UTC with milliseconds and a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _num(value: Any) -> int:
    """An id's order; a broken id (a hostile corpus item) sorts oldest, where a real server never puts one."""
    text = str(value)
    return int(text) if text.isdigit() else 0


def _problem(key: str, status: int) -> Response:
    return Response(status, load_fixture("errors.json")[key])


class XFake(ServedFake):
    """The fake X API. `clock` is the server's idea of now (created_at, rate-limit reset)."""

    channel_type = "x"

    def __init__(self, clock: Callable[[], datetime] | None = None, name: str = "x-dindukcapil",
                 seed: bool = False):
        self.clock = clock or (lambda: datetime.now(UTC))
        self.name = name
        self.server = FakeServer(self._handle)
        self.base_url = self.server.base_url
        self.sent: list[dict[str, Any]] = []
        self.users: dict[str, dict[str, Any]] = {OFFICE_ID: {"id": OFFICE_ID, "name": OFFICE_NAME,
                                                             "username": OFFICE_USERNAME}}
        self.tweets: dict[str, dict[str, Any]] = {}
        self.mention_ids: set[str] = set()
        self.dm_events: list[dict[str, Any]] = []
        self.media: dict[str, dict[str, Any]] = {}
        self.page_errors: list[dict[str, Any]] = []  # partial errors X adds to a mentions page (deleted items)
        self.inject: dict[int, Any] = {}  # position -> a raw item put into the next mentions page as it is
        self._next_id = 1993900000000000000
        self._served: dict[str, int] = {}
        self._last_page: Response | None = None
        self._tokens: dict[str, tuple[str, int]] = {}
        self.clear_faults()
        if seed:
            self.seed_fixtures()

    # -- ChannelFake protocol ---------------------------------------------------------------

    def channel_config(self) -> dict[str, Any]:
        return {"name": self.name, "type": "x", "enabled": True, "base_url": self.base_url, "user_id": OFFICE_ID,
                "username": OFFICE_USERNAME, **ENV_NAMES, "page_size": 5, "max_pages": 10}

    def env(self) -> dict[str, str]:
        values = [BEARER, CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_TOKEN_SECRET]
        return dict(zip(ENV_NAMES.values(), values, strict=True))

    def add_citizen_messages(self, count: int) -> list[str]:
        ids = []
        for n in range(count):
            author = self.add_user(f"warga_{len(self.users):03d}", f"Warga Brebes {len(self.users)}")
            text = CITIZEN_TEXTS[n % len(CITIZEN_TEXTS)].format(office=OFFICE_USERNAME)
            ids.append(self.add_mention(author, text))
        return ids

    def add_own_message(self) -> str:
        """The office's own DM answer, which X returns in the DM stream too."""
        citizen = self.add_user("warga_dm", "Warga DM")
        conversation = f"{OFFICE_ID}-{citizen}"
        self.add_dm(citizen, "Min, KK sy blm dicetak", conversation)
        return self.add_dm(OFFICE_ID, "Baik, KK Anda sedang kami proses.", conversation)

    def add_malformed_item(self) -> None:
        """A mention with no text (tweepy's own Tweet model would raise KeyError on it)."""
        author = self.add_user("warga_rusak", "Warga")
        tweet_id = self.add_mention(author, "")
        del self.tweets[tweet_id]["text"]

    def rate_limit_next(self, retry_after_seconds: int, legacy_body: bool = False) -> None:
        self._rate_limited = (retry_after_seconds, legacy_body)

    def expire_token(self) -> None:
        self._expired = True

    def repeat_next_page(self) -> None:
        self._repeat = True

    def stick_pagination(self) -> None:
        self._stuck = True

    def clear_faults(self) -> None:
        self._rate_limited: tuple[int, bool] | None = None
        self._expired = False
        self._repeat = False
        self._stuck = False
        self._suspended = False
        self._server_errors = 0

    # -- extra fault switches and builders ----------------------------------------------------

    def suspend(self) -> None:
        self._suspended = True

    def fail_next(self, count: int = 1) -> None:
        """The next `count` requests answer 503."""
        self._server_errors = count

    def seed_fixtures(self) -> None:
        """Load the recorded mentions and DM pages from tests/fixtures/x/."""
        for name in ("mentions.json", "dm_events.json"):
            page = load_fixture(name)
            for user in page["includes"]["users"]:
                self.users[user["id"]] = user
            for item in page["data"]:
                if name == "mentions.json":
                    self.tweets[item["id"]] = copy.deepcopy(item)
                    self.mention_ids.add(item["id"])
                else:
                    self.dm_events.append(copy.deepcopy(item))

    def new_id(self) -> str:
        self._next_id += 7919
        return str(self._next_id)

    def add_user(self, username: str, name: str) -> str:
        user_id = str(1700000000000100000 + len(self.users))
        self.users[user_id] = {"id": user_id, "name": name, "username": username}
        return user_id

    def add_tweet(self, author: str, text: str, *, reply_to: str | None = None, mention: bool = False,
                  created_at: str | None = None, **fields: Any) -> str:
        tweet_id = self.new_id()
        parent = self.tweets.get(reply_to or "")
        tweet: dict[str, Any] = {
            "id": tweet_id, "text": text, "author_id": author, "created_at": created_at or x_time(self.clock()),
            "conversation_id": parent["conversation_id"] if parent else tweet_id, "lang": "in",
            "edit_history_tweet_ids": [tweet_id],
        }
        if parent:
            tweet["in_reply_to_user_id"] = parent["author_id"]
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent["id"]}]
        mentions = [{"start": m.start(), "end": m.end(), "username": m.group(1),
                     **({"id": OFFICE_ID} if m.group(1).lower() == OFFICE_USERNAME else {})}
                    for m in re.finditer(r"@(\w{1,15})", text)]
        if mentions:
            tweet["entities"] = {"mentions": mentions}
        tweet.update(fields)
        self.tweets[tweet_id] = tweet
        if mention:
            self.mention_ids.add(tweet_id)
        return tweet_id

    def add_mention(self, author: str, text: str, **kwargs: Any) -> str:
        return self.add_tweet(author, text, mention=True, **kwargs)

    def add_dm(self, sender: str, text: str, conversation: str, *, event_type: str = "MessageCreate",
               created_at: str | None = None, **fields: Any) -> str:
        event = {"id": self.new_id(), "event_type": event_type, "dm_conversation_id": conversation,
                 "created_at": created_at or x_time(self.clock())}
        if event_type == "MessageCreate":
            event.update(text=text, sender_id=sender)
        event.update(fields)
        self.dm_events.append(event)
        return event["id"]

    # -- HTTP ----------------------------------------------------------------------------------

    def _headers(self, endpoint: str, exhausted: bool = False, reset_in: int | None = None) -> dict[str, str]:
        now = self.clock()
        self._served[endpoint] = self._served.get(endpoint, 0) + 1
        limit = LIMITS[endpoint]
        remaining = 0 if exhausted else max(limit - self._served[endpoint], 0)
        reset = now + (timedelta(seconds=reset_in) if reset_in is not None else WINDOW)
        return {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": str(remaining),
                "x-rate-limit-reset": str(int(reset.timestamp()))}

    def _route(self, request: Request) -> tuple[str, Callable[[Request, dict[str, str]], Response]] | None:
        path, method = request.path, request.method
        if method == "GET" and path == "/2/users/me":
            return "users_me", self._me
        if method == "GET" and re.fullmatch(r"/2/users/\d+", path):
            return "users_me", self._user
        if method == "GET" and re.fullmatch(r"/2/users/\d+/mentions", path):
            return "mentions", self._mentions
        if method == "GET" and re.fullmatch(r"/2/tweets/\d+", path):
            return "tweet_lookup", self._lookup
        if method == "GET" and path == "/2/dm_events":
            return "dm_events", self._dm_events
        if method == "POST" and path == "/2/tweets":
            return "create_tweet", self._create_tweet
        if method == "POST" and re.fullmatch(r"/2/dm_conversations/(with/)?[\d-]+/messages", path):
            return "create_dm", self._create_dm
        return None

    def _handle(self, request: Request) -> Response:
        route = self._route(request)
        if route is None:
            return Response(404, {"title": "Not Found Error", "detail": f"no route {request.path}", "status": 404})
        endpoint, handler = route
        auth = self._auth(request)
        if self._expired or auth is None:
            return self._with(_problem("unauthorized", 401), endpoint)
        if self._suspended:
            return self._with(_problem("suspended", 403), endpoint)
        if self._server_errors:
            self._server_errors -= 1
            return self._with(_problem("service_unavailable", 503), endpoint)
        if self._rate_limited is not None:
            seconds, legacy = self._rate_limited
            self._rate_limited = None
            body = _problem("rate_limited_legacy" if legacy else "rate_limited", 429)
            return self._with(body, endpoint, exhausted=True, reset_in=seconds)
        if request.method == "GET" and self._repeat and self._last_page is not None and endpoint in (
                "mentions", "dm_events"):
            self._repeat = False
            return self._with(copy.deepcopy(self._last_page), endpoint)
        response = handler(request, auth)
        if endpoint in ("mentions", "dm_events"):
            self._last_page = copy.deepcopy(response)
        return self._with(response, endpoint)

    def _with(self, response: Response, endpoint: str, **kwargs: Any) -> Response:
        response.headers.update(self._headers(endpoint, **kwargs))
        return response

    def _auth(self, request: Request) -> dict[str, str] | None:
        header = request.headers.get("Authorization", "")
        if header == f"Bearer {BEARER}":
            return {"context": "app"}
        if header.startswith("OAuth ") and f'oauth_consumer_key="{CONSUMER_KEY}"' in header and \
                f'oauth_token="{ACCESS_TOKEN}"' in header:
            return {"context": "user", "user_id": OFFICE_ID}
        return None

    @staticmethod
    def _user_only(auth: dict[str, str]) -> Response | None:
        return _problem("unsupported_authentication", 403) if auth["context"] != "user" else None

    def _me(self, request: Request, auth: dict[str, str]) -> Response:
        return self._user_only(auth) or Response(200, {"data": dict(self.users[OFFICE_ID])})

    def _user(self, request: Request, auth: dict[str, str]) -> Response:
        user = self.users.get(request.path.rsplit("/", 1)[1])
        if user is None:
            return Response(200, {"errors": [{"title": "Not Found Error", "resource_type": "user",
                                              "detail": "Could not find user.",
                                              "type": "https://api.twitter.com/2/problems/resource-not-found"}]})
        return Response(200, {"data": dict(user)})

    @staticmethod
    def _fields(request: Request, name: str) -> set[str]:
        return {f for f in (request.arg(name) or "").split(",") if f}

    def _render(self, item: dict[str, Any], wanted: set[str], always: tuple[str, ...]) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in item.items() if k in always or k in wanted}

    def add_media(self, kind: str = "photo", **fields: Any) -> str:
        """A media object (`includes.media`); attach its key with attachments={"media_keys": [key]}."""
        key = f"3_{self.new_id()}"
        self.media[key] = {"media_key": key, "type": kind, **fields}
        return key

    def _includes(self, request: Request, items: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
        expansions = self._fields(request, "expansions")
        user_ids: list[str] = []
        media_keys: list[str] = []
        for item in items:
            for key in keys:
                if key in expansions and item.get(key) in self.users and item[key] not in user_ids:
                    user_ids.append(item[key])
            if "attachments.media_keys" in expansions:
                for media_key in (item.get("attachments") or {}).get("media_keys") or []:
                    if media_key in self.media and media_key not in media_keys:
                        media_keys.append(media_key)
        found: dict[str, Any] = {}
        if user_ids:
            found["users"] = [dict(self.users[u]) for u in user_ids]
        if media_keys:
            wanted = self._fields(request, "media.fields")
            found["media"] = [self._render(self.media[k], wanted, ("media_key", "type")) for k in media_keys]
        return found

    def _page(self, request: Request, items: list[dict[str, Any]], low: int, high: int, key: str) -> tuple[
            list[dict[str, Any]], str | None] | Response:
        try:
            size = int(request.arg("max_results") or 10)
        except ValueError:
            size = -1
        if not low <= size <= high:
            return _problem("invalid_max_results", 400)
        token = request.arg("pagination_token")
        offset = 0
        if token:
            offset = self._token_offset(key, token)
            if offset < 0:
                return Response(400, {"title": "Invalid Request", "detail": "invalid pagination_token",
                                      "status": 400, "type": "https://api.twitter.com/2/problems/invalid-request"})
        page = items[offset:offset + size]
        more = offset + size < len(items)
        if self._stuck:
            return page, "stuck7140dibdnow9c7btw4"
        return page, self._token(key, offset + size) if more else None

    def _token(self, key: str, offset: int) -> str:
        digest = hashlib.sha1(f"{key}:{offset}".encode()).hexdigest()[:24]
        self._tokens[digest] = (key, offset)
        return digest

    def _token_offset(self, key: str, token: str) -> int:
        if token.startswith("stuck"):
            return 0
        found = self._tokens.get(token)
        return found[1] if found and found[0] == key else -1

    def _mentions(self, request: Request, auth: dict[str, str]) -> Response:
        since, until = request.arg("since_id"), request.arg("until_id")
        user_id = request.path.split("/")[3]
        items = [t for i, t in self.tweets.items() if i in self.mention_ids and user_id == OFFICE_ID
                 and (since is None or _num(i) > int(since)) and (until is None or _num(i) < int(until))]
        items.sort(key=lambda t: _num(t.get("id")), reverse=True)
        paged = self._page(request, items, 5, 100, f"mentions:{since}:{until}")
        if isinstance(paged, Response):
            return paged
        page, next_token = paged
        wanted = self._fields(request, "tweet.fields")
        data = [self._render(t, wanted, ("id", "text", "edit_history_tweet_ids")) for t in page]
        for position, raw in sorted(self.inject.items()):
            data.insert(min(position, len(data)), copy.deepcopy(raw))
        self.inject = {}
        body: dict[str, Any] = {"data": data} if data else {}
        includes = self._includes(request, page, ("author_id", "in_reply_to_user_id"))
        if includes:
            body["includes"] = includes
        if self.page_errors:
            body["errors"] = copy.deepcopy(self.page_errors)
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if next_token:
            meta["next_token"] = next_token
        body["meta"] = meta
        return Response(200, body)

    def _lookup(self, request: Request, auth: dict[str, str]) -> Response:
        tweet_id = request.path.rsplit("/", 1)[1]
        tweet = self.tweets.get(tweet_id)
        if tweet is None:
            return Response(200, {"errors": [{"value": tweet_id, "detail": f"Could not find tweet with id: "
                                              f"[{tweet_id}].", "title": "Not Found Error", "resource_type": "tweet",
                                              "parameter": "id", "resource_id": tweet_id,
                                              "type": "https://api.twitter.com/2/problems/resource-not-found"}]})
        wanted = self._fields(request, "tweet.fields")
        return Response(200, {"data": self._render(tweet, wanted, ("id", "text", "edit_history_tweet_ids"))})

    def _dm_events(self, request: Request, auth: dict[str, str]) -> Response:
        refused = self._user_only(auth)
        if refused:
            return refused
        types = self._fields(request, "event_types")
        items = sorted((e for e in self.dm_events if not types or e.get("event_type") in types),
                       key=lambda e: _num(e.get("id")), reverse=True)
        paged = self._page(request, items, 1, 100, f"dm:{','.join(sorted(types))}")
        if isinstance(paged, Response):
            return paged
        page, next_token = paged
        wanted = self._fields(request, "dm_event.fields")
        body: dict[str, Any] = {"data": [self._render(e, wanted, ("id", "event_type", "text")) for e in page]}
        includes = self._includes(request, page, ("sender_id",))
        if includes:
            body["includes"] = includes
        body["meta"] = {"result_count": len(page), **({"next_token": next_token} if next_token else {})}
        return Response(200, body)

    def _create_tweet(self, request: Request, auth: dict[str, str]) -> Response:
        refused = self._user_only(auth)
        if refused:
            return refused
        body = request.json() or {}
        target = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        parent = self.tweets.get(target or "")
        if target and parent is None:
            return Response(400, {"title": "Invalid Request", "status": 400,
                                  "detail": "You attempted to reply to a Tweet that is deleted or not visible to you."})
        if parent is not None and parent["id"] not in self.mention_ids:
            return _problem("reply_not_allowed", 403)
        tweet_id = self.add_tweet(OFFICE_ID, body.get("text", ""), reply_to=target)
        self.sent.append({"kind": "tweet", "id": tweet_id, "text": body.get("text"), "in_reply_to": target,
                          "body": body})
        return Response(201, {"data": {"id": tweet_id, "text": body.get("text", ""),
                                       "edit_history_tweet_ids": [tweet_id]}})

    def _create_dm(self, request: Request, auth: dict[str, str]) -> Response:
        refused = self._user_only(auth)
        if refused:
            return refused
        body = request.json() or {}
        parts = request.path.split("/")
        if parts[3] == "with":
            pair = sorted([OFFICE_ID, parts[4]], key=int)
            conversation = f"{pair[0]}-{pair[1]}"
        else:
            conversation = parts[3]
            if not any(e.get("dm_conversation_id") == conversation for e in self.dm_events):
                return Response(404, {"title": "Not Found Error", "status": 404,
                                      "detail": f"Could not find dm_conversation with id: [{conversation}]."})
        event_id = self.add_dm(OFFICE_ID, body.get("text", ""), conversation)
        self.sent.append({"kind": "dm", "id": event_id, "text": body.get("text"), "dm_conversation_id": conversation,
                          "body": body})
        return Response(201, {"data": {"dm_conversation_id": conversation, "dm_event_id": event_id}})
