"""Shared Graph API plumbing for the Facebook Page and Instagram collectors.

Both channels talk to the same Graph API through facebook-sdk's `GraphAPI`: this module owns
the client (version, `base_url`, `appsecret_proof`) and pagination over `paging.next`. Its
neighbours own the rest: `graph_errors` (error codes and usage headers), `graph_marks`
(high-water marks), `graph_items` (the items of a page), `graph_attachments`. Tokens travel in
Graph URLs (`access_token=` in every GET and in `paging.next`), so every error text goes through
`ticketing.privacy.redact.redact`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from collectors.graph_errors import GraphUsage, classify_graph_error, parse_usage
from collectors.http import network_failure, unreadable_acceptance
from collectors.meta_webhook import MetaWebhookReceiver
from ticketing.clock import Clock
from ticketing.config import Secret
from ticketing.contract import (
    AuthExpired,
    Collector,
    CollectorError,
    RateLimited,
    TransientError,
)
from ticketing.privacy.redact import redact

GRAPH_HOST = "https://graph.facebook.com"
DEFAULT_VERSION = "v23.0"  # available until 2027-10-08 per Meta's changelog; bump yearly in config

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
