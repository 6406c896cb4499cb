"""Shared Graph API plumbing for the Facebook Page and Instagram collectors.

Both channels talk to the same Graph API through facebook-sdk's `GraphAPI`: this module owns
the client (version, `base_url`, `appsecret_proof`), pagination over `paging.next`, usage
headers, high-water marks, and the ONE place that turns Graph error codes into the collector
error tree. Tokens travel in Graph URLs (`access_token=` in every GET and in `paging.next`), so
every error text goes through `ticketing.privacy.redact.redact`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from collectors.http import DEFAULT_BACKOFF, later_of, network_failure, raise_for_status, unreadable_acceptance
from collectors.meta_webhook import MetaWebhookReceiver
from ticketing.clock import Clock, parse_instant
from ticketing.config import Secret
from ticketing.contract import (
    AuthExpired,
    Collector,
    CollectorError,
    InboundMessage,
    PayloadError,
    QuarantinedItem,
    RateLimited,
    SendRefused,
    TransientError,
)
from ticketing.privacy.redact import redact

GRAPH_HOST = "https://graph.facebook.com"
DEFAULT_VERSION = "v23.0"  # available until 2027-10-08 per Meta's changelog; bump yearly in config
RATE_LIMIT_BACKOFF = timedelta(minutes=5)  # Graph windows roll over minutes; polling sooner burns budget
POLICY_BLOCK_BACKOFF = timedelta(hours=1)  # code 368 is a policy block: hammering it prolongs it
FUTURE_SKEW = timedelta(minutes=10)  # a timestamp further ahead than this never moves a watermark

AUTH_CODES = frozenset({190, 102})
THROTTLE_CODES = frozenset({4, 17, 32, 613, 341, *range(80001, 80015)})
POLICY_BLOCK_CODES = frozenset({368})
TRANSIENT_CODES = frozenset({1, 2})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
SEND_REFUSALS = {  # Send API refusals that say why the message may not go out; resending will not help
    (10, 2018278): "Meta menolak balasan karena sudah di luar jendela 24 jam sejak pesan terakhir warga.",
    (551, None): "Meta menolak balasan: penerima saat ini tidak dapat menerima pesan dari Halaman.",
}
USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-ad-account-usage")
SIGNED_PARAMS = ("access_token", "appsecret_proof")


class GraphSettings(BaseModel):
    """Keys every Graph channel shares; the Facebook and Instagram models extend it."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    base_url: str = GRAPH_HOST
    graph_version: str = DEFAULT_VERSION
    page_id: str
    page_token_env: str = "ADUAN_FB_PAGE_TOKEN"
    app_secret_env: str | None = None
    verify_token_env: str | None = None  # for `aduan webhook serve`: Meta's subscription handshake
    human_agent_tag: bool = False
    page_size: int = Field(default=25, ge=1, le=100)
    max_pages: int = Field(default=20, ge=1, le=1000)
    initial_lookback_days: int = Field(default=14, ge=1)
    comment_window_days: int = Field(default=30, ge=1)
    timeout_seconds: float = Field(default=30.0, gt=0)

    @field_validator("graph_version")
    @classmethod
    def _version_shape(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith("v"):
            value = "v" + value
        head, _, tail = value[1:].partition(".")
        if not (head.isdigit() and tail.isdigit()):
            raise ValueError("use the Graph version as written by Meta, e.g. v23.0")
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with https:// (or http:// for a local test server)")
        return value.rstrip("/")




def appsecret_proof(token: str, app_secret: str) -> str:
    """HMAC-SHA256 of the token keyed with the app secret, as Meta's secure-requests page defines."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class GraphUsage:
    """The most used quota (percent) across usage headers and the longest regain estimate."""

    percent: int = 0
    regain_minutes: int = 0


def _header_json(value: str | None) -> Any:
    try:
        return json.loads(value) if value else None
    except ValueError:
        return None


def _percent_of(entry: Any) -> int:
    if not isinstance(entry, dict):
        return 0
    numbers = [entry.get(k) for k in ("call_count", "total_cputime", "total_time")]
    return max([int(n) for n in numbers if isinstance(n, int | float)] or [0])


def parse_usage(headers: Mapping[str, str]) -> GraphUsage:
    """Read X-App-Usage / X-Page-Usage / X-Business-Use-Case-Usage; a malformed header counts as 0."""
    lowered = {k.lower(): v for k, v in headers.items()}
    percent, regain = 0, 0
    for name in USAGE_HEADERS:
        percent = max(percent, _percent_of(_header_json(lowered.get(name))))
    buc = _header_json(lowered.get("x-business-use-case-usage"))
    for entries in (buc.values() if isinstance(buc, dict) else []):
        for entry in entries if isinstance(entries, list) else []:
            percent = max(percent, _percent_of(entry))
            minutes = entry.get("estimated_time_to_regain_access") if isinstance(entry, dict) else None
            if isinstance(minutes, int | float):
                regain = max(regain, int(minutes))
    return GraphUsage(percent, regain)


def classify_graph_error(error: Any, status: int, headers: Mapping[str, str], now: datetime,
                         what: str) -> CollectorError:
    """The one place that maps a Graph error body (`code`/`error_subcode`) to the error tree."""
    body = error if isinstance(error, dict) else {}
    code, subcode = body.get("code"), body.get("error_subcode")
    detail = redact(f"code {code}" + (f"/{subcode}" if subcode else "") + f" ({body.get('type') or 'error'}): "
                    f"{str(body.get('message') or error)[:300]}" + (f" [fbtrace {body['fbtrace_id']}]"
                                                                    if body.get("fbtrace_id") else ""))
    refusal = SEND_REFUSALS.get((code, subcode)) or SEND_REFUSALS.get((code, None))
    if refusal:
        return SendRefused(f"{refusal} ({detail})")
    if code in AUTH_CODES:
        return AuthExpired(f"{what}: the Page token is invalid or expired, re-authorise the channel: {detail}")
    if code in THROTTLE_CODES or code in POLICY_BLOCK_CODES:
        usage = parse_usage(headers)
        floor = POLICY_BLOCK_BACKOFF if code in POLICY_BLOCK_CODES else RATE_LIMIT_BACKOFF
        estimate = now + timedelta(minutes=usage.regain_minutes) if usage.regain_minutes else now + floor
        retry_at = later_of(estimate, now, DEFAULT_BACKOFF)
        return RateLimited(f"{what}: throttled by Graph until {retry_at.isoformat()}: {detail}", retry_at)
    if code in TRANSIENT_CODES:
        return TransientError(f"{what}: temporary Graph error, retry later: {detail}")
    if code in PERMISSION_CODES:
        return CollectorError(f"{what}: permission missing or denied, check the token's permissions: {detail}")
    if code is not None:
        return CollectorError(f"{what}: Graph refused the request: {detail}")
    try:
        raise_for_status(status, headers, "", now, what)
    except CollectorError as exc:
        return exc
    return TransientError(f"{what}: unreadable Graph response (HTTP {status}): {redact(str(error)[:200])}")


@dataclass
class Watermark:
    """How far one source has been read: the newest item time, and the ids seen at that time.

    Keeping the ids makes equal timestamps safe: an item stamped exactly at the mark but not
    yet seen is still new. Graph lists newest first, so when the page budget runs out before
    the mark is reached, the read is suspended: `resume` holds the next page (its link without
    any token) and `pending_*` the newest item already taken; the next fetch goes on from
    there, and only when it reaches the old mark does the mark jump to the pending one.
    """

    time: str | None = None
    ids: list[str] = field(default_factory=list)
    resume: str | None = None
    pending_time: str | None = None
    pending_ids: list[str] = field(default_factory=list)

    @property
    def instant(self) -> datetime | None:
        return parse_instant(self.time) if self.time else None

    def covers(self, when: datetime, item_id: str) -> bool:
        """True when the item is behind the mark or was already seen at the mark's time."""
        mark = self.instant
        return mark is not None and (when < mark or (when == mark and item_id in self.ids))

    def advanced(self, seen: Iterable[tuple[datetime, str]], now: datetime) -> Watermark:
        """The mark after a complete read that stored `seen`."""
        base = (self.pending_time, self.pending_ids) if self.resume and self.pending_time else (self.time, self.ids)
        time, ids = _merge(base[0], base[1], seen, now)
        return Watermark(time, ids)

    def suspended(self, seen: Iterable[tuple[datetime, str]], now: datetime, link: str | None,
                  floor: datetime | None) -> Watermark:
        """The mark after a read cut short by the page budget: keep the floor, remember where to go on."""
        base = (self.pending_time, self.pending_ids) if self.resume else (None, [])
        pending_time, pending_ids = _merge(base[0], base[1], seen, now)
        time = self.time or (floor.isoformat() if floor is not None else None)
        return Watermark(time, list(self.ids), link, pending_time, pending_ids)

    @classmethod
    def from_json(cls, data: Any) -> Watermark:
        if not isinstance(data, dict):
            return cls()
        return cls(data.get("time"), [str(i) for i in data.get("ids") or []], data.get("resume") or None,
                   data.get("pending_time"), [str(i) for i in data.get("pending_ids") or []])


def _merge(time: str | None, ids: list[str], seen: Iterable[tuple[datetime, str]],
           now: datetime) -> tuple[str | None, list[str]]:
    """Newest time and its ids; future-dated items (clock skew) never move a mark."""
    ceiling = now + FUTURE_SKEW
    usable = [(when, item) for when, item in seen if when <= ceiling]
    mark = parse_instant(time) if time else None
    if not usable:
        return time, list(ids)
    newest = max(when for when, _ in usable)
    if mark is not None and newest < mark:
        return time, list(ids)
    found = {item for when, item in usable if when == newest}
    if mark is not None and newest == mark:
        found.update(ids)
    return newest.isoformat(), sorted(found)


def _base_url_adapter(base_url: str):
    """A requests adapter sending facebook-sdk's fixed-host URLs to `base_url` (a proxy or a fake)."""
    import facebook
    from requests.adapters import HTTPAdapter

    class BaseUrlAdapter(HTTPAdapter):
        def send(self, request, **kwargs):
            prefix = facebook.FACEBOOK_GRAPH_URL  # read per call, as the SDK itself does
            if request.url.startswith(prefix):
                request.url = f"{base_url}/{request.url[len(prefix):]}"
            return super().send(request, **kwargs)

    return BaseUrlAdapter()


class Pager:
    """Iterates the pages of one Graph edge, following `paging.next` until it is absent.

    A next-link seen twice means the API is stuck: that is an error, not a loop. When the page
    budget runs out first, `truncated` is set and `next_link` says where to go on (no token).
    """

    def __init__(self, client: GraphClient, first: Callable[[], dict], max_pages: int, what: str):
        self._client, self._first, self._max, self._what = client, first, max_pages, what
        self.truncated = False
        self.next_link: str | None = None

    def __iter__(self) -> Iterator[dict]:
        page, seen, served = self._first(), set(), 1
        while True:
            yield page
            paging = page.get("paging") if isinstance(page, dict) else None
            link = paging.get("next") if isinstance(paging, dict) else None
            if not link or not isinstance(link, str):
                return
            key = _cursor_key(link, paging)
            if key in seen:
                raise CollectorError(f"{self._what}: Graph pagination repeated cursor {redact(key)[:80]}; "
                                     "stopping instead of looping")
            seen.add(key)
            if served >= self._max:
                self.truncated, self.next_link = True, self._client.relative_link(link)
                return
            page, served = self._client.follow(link), served + 1


def _cursor_key(link: str, paging: Mapping[str, Any]) -> str:
    cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
    query = sorted((k, v) for k, v in parse_qsl(urlsplit(link).query) if k not in SIGNED_PARAMS)
    return f"{cursors.get('after', '')}|{urlsplit(link).path}|{query}"


class GraphClient:
    """facebook-sdk's `GraphAPI` bound to one channel: version, base_url, proof, error mapping.

    Constructing it does no I/O and imports nothing heavy; the SDK is loaded on first use.
    """

    def __init__(self, settings: GraphSettings, token: Secret, app_secret: Secret | None, clock: Clock,
                 what: str):
        self.settings, self._token, self._app_secret = settings, token, app_secret
        self.clock, self.what = clock, what
        self.reads = 0
        self.usage = GraphUsage()
        self._graph = None
        self._last_status, self._last_headers = 0, {}

    @property
    def graph(self):
        if self._graph is None:
            import facebook
            import requests

            session = requests.Session()
            adapter = _base_url_adapter(self.settings.base_url)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            session.hooks["response"].append(self._remember)
            graph = facebook.GraphAPI(access_token=self._token.get(), timeout=self.settings.timeout_seconds,
                                      session=session)
            graph.version = self.settings.graph_version  # the SDK's own check only knows versions up to 3.1
            self._graph = graph
        return self._graph

    def _remember(self, response, *args, **kwargs):
        self._last_status, self._last_headers = response.status_code, dict(response.headers)
        self.usage = parse_usage(self._last_headers)
        return response

    def _signed(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        signed = {k: v for k, v in (params or {}).items() if v is not None}
        if self._app_secret is not None:
            signed["appsecret_proof"] = appsecret_proof(self._token.get(), self._app_secret.get())
        return signed

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict:
        return self._call(f"{self.graph.version}/{path.lstrip('/')}", args=self._signed(params))

    def post(self, path: str, form: Mapping[str, Any]) -> dict:
        return self._call(f"{self.graph.version}/{path.lstrip('/')}", post_args=self._signed(form))

    def relative_link(self, link: str) -> str:
        """A `paging.next` URL reduced to path and query, without token or proof: safe to store."""
        parts = urlsplit(link)
        path = parts.path.lstrip("/")
        prefix = urlsplit(self.settings.base_url).path.strip("/")
        if prefix and path.startswith(prefix + "/"):
            path = path[len(prefix) + 1:]
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                           if k not in SIGNED_PARAMS])
        return f"{path}?{query}" if query else path

    def follow(self, link: str) -> dict:
        """Fetch a `paging.next` link on the configured host (never the link's own), with our token."""
        path, _, query = self.relative_link(link).partition("?")
        return self._call(path, args=self._signed(dict(parse_qsl(query, keep_blank_values=True))))

    def paginate(self, path: str, params: Mapping[str, Any], resume: str | None = None) -> Pager:
        """Pages of a top-level edge, from its start or from a stored `resume` link.

        A stored cursor can go stale (the item it points at was deleted): then the read starts
        over from the top, which is safe because the mark's floor is unchanged.
        """
        def first() -> dict:
            if resume:
                try:
                    return self.follow(resume)
                except (AuthExpired, RateLimited, TransientError):
                    raise
                except CollectorError:
                    pass
            return self.get(path, params)

        return Pager(self, first, self.settings.max_pages, f"{self.what} {path}")

    def paginate_embedded(self, edge: Any, max_pages: int | None = None) -> Pager:
        """Pages of a nested edge (`messages{...}` inside a conversation): the first is already here."""
        first = edge if isinstance(edge, dict) else {"data": []}
        return Pager(self, lambda: first, max_pages or self.settings.max_pages, f"{self.what} nested edge")

    def _call(self, path: str, args: dict | None = None, post_args: dict | None = None) -> dict:
        import facebook
        import requests

        now = self.clock()
        self._last_status, self._last_headers = 0, {}
        try:
            result = self.graph.request(path, args=args, post_args=post_args)
        except facebook.GraphAPIError as exc:
            error = exc.result.get("error") if isinstance(exc.result, dict) else exc.result
            if post_args is not None and 200 <= self._last_status < 300 and not isinstance(error, dict):
                raise unreadable_acceptance(f"{self.what}: Graph", self._last_status) from None
            raise classify_graph_error(error, self._last_status, self._last_headers, now, self.what) from None
        except requests.RequestException as exc:  # a POST is a send: after it left, it may have arrived
            raise network_failure(exc, f"{self.what}: Graph", delivers=post_args is not None) from None
        except (KeyError, ValueError) as exc:  # no content-type, or a body that is not JSON
            if post_args is not None and 200 <= self._last_status < 300:
                raise unreadable_acceptance(f"{self.what}: Graph", self._last_status) from None
            raise TransientError(f"{self.what}: unreadable Graph response (HTTP {self._last_status}): "
                                 f"{redact(exc)}") from None
        finally:
            if post_args is None:
                self.reads += 1
        if self._last_status >= 400 or not isinstance(result, dict):
            raise classify_graph_error(result, self._last_status, self._last_headers, now, self.what)
        return result


class Harvest:
    """The messages of one fetch, de-duplicated by external id, and the items that failed to parse.

    Overlapping Graph pages can hand the same item twice; a malformed item is quarantined and
    the rest of the batch goes on.
    """

    def __init__(self, channel: str):
        self.channel = channel
        self.messages: dict[str, InboundMessage] = {}
        self.quarantined: list[QuarantinedItem] = []

    def add(self, build: Callable[[], InboundMessage], raw: Any) -> InboundMessage | None:
        try:
            message = build()
        except PayloadError as exc:
            self.quarantine(str(exc), raw, exc.external_id)
            return None
        self.messages.setdefault(message.external_id, message)
        return message

    def quarantine(self, reason: str, raw: Any, external_id: str | None = None) -> None:
        self.quarantined.append(QuarantinedItem(self.channel, redact(reason), raw, external_id))


def item_id(raw: Any, what: str) -> str:
    """A Graph id as a string; ids are opaque and never numbers in our hands."""
    value = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise PayloadError(f"{what} without an id", raw)
    return str(value)


def item_time(raw: Any, key: str, what: str) -> datetime:
    """A Graph timestamp (`2026-11-24T01:12:33+0000`) as an aware UTC datetime, or PayloadError."""
    value = raw.get(key) if isinstance(raw, dict) else None
    try:
        return parse_instant(value)
    except (AttributeError, TypeError, ValueError):
        external = raw.get("id") if isinstance(raw, dict) else None
        raise PayloadError(f"{what} has no valid {key}: {str(value)[:40]!r}", raw,
                           str(external) if external else None) from None


def item_text(raw: Any, key: str, what: str) -> str:
    value = raw.get(key, "") if isinstance(raw, dict) else None
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PayloadError(f"{what} has a non-text {key}", raw, str(raw.get("id") or "") or None)
    return value


def dated_items(page: Any, harvest: Harvest, time_key: str, what: str) -> Iterator[tuple[Any, str, datetime]]:
    """The items of one page with their id and time; an item lacking either is quarantined."""
    for raw in edge_items(page):
        try:
            item = raw, item_id(raw, what), item_time(raw, time_key, what)
        except PayloadError as exc:
            harvest.quarantine(str(exc), raw, exc.external_id)
            continue
        yield item


def edge_items(page: Any) -> list[Any]:
    data = page.get("data") if isinstance(page, dict) else None
    return data if isinstance(data, list) else []


class GraphCollector(MetaWebhookReceiver, Collector):
    """What the Facebook and Instagram collectors share: construction and the lazily built client."""

    def __init__(self, name: str, settings: Any, env=None, clock=None):
        super().__init__(name, settings, env, clock)
        self._client: GraphClient | None = None

    @property
    def client(self) -> GraphClient:
        if self._client is None:
            from ticketing.config import secret_from_env

            section = self.settings.model_dump()
            token = secret_from_env(section, "page_token_env", self.name, self.env)
            secret = secret_from_env(section, "app_secret_env", self.name, self.env,
                                     required=bool(self.settings.app_secret_env))
            self._client = GraphClient(self.settings, token, secret, lambda: self.clock(), f"channel {self.name}")
        return self._client
