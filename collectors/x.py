"""X (Twitter) collector: mentions and DMs in, reply tweets and DMs out, through tweepy's Client.

tweepy 4.17 hard-codes `https://api.twitter.com`; a transport adapter mounted on the client's
session sends every request to the configured `base_url` instead (the official host, a proxy,
or a test fake). The client returns plain dicts (`return_type=dict`) so that one malformed
tweet is quarantined instead of breaking tweepy's model parsing of the whole page, and so that
timestamps are parsed here (tweepy drops non-UTC offsets). `wait_on_rate_limit` stays off:
tweepy would sleep and recurse; a 429 becomes `RateLimited` and the run ends at once.

Cursors hold ids only, never payload timestamps. The config section and cursor live in
`collectors/x_config.py`, the reading strategy (what an idle run costs) in `collectors/x_read.py`,
X's wire format (items, error bodies) in `collectors/x_payload.py`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from collectors.http import network_failure, unreadable_acceptance
from collectors.x_config import OAUTH1_KEYS, XCursor, XSettings
from collectors.x_payload import (
    USER_FIELDS,
    ForbiddenError,
    NotFoundError,
    PageParser,
    mentions_account,
    redirect_adapter,
    translate_error,
)
from collectors.x_read import ReadRun, read_all
from ticketing.config import Secret, secret_from_env
from ticketing.contract import (
    Batch,
    Collector,
    CollectorError,
    InboundMessage,
    OutboundMessage,
    SendRefused,
    SendResult,
    TransientError,
)
from ticketing.errors import ConfigError
from ticketing.privacy.redact import redact

TWEEPY_HOST = "https://api.twitter.com/"  # what tweepy 4.17 always calls; rewritten to base_url
REQUEST_TIMEOUT = (5.0, 30.0)  # tweepy sets none; a hung API must not hold the cron run


class XCollector(Collector):
    """Mentions timeline and DM events of the office's X account."""

    type_name: ClassVar[str] = "x"
    settings_model: ClassVar[type | None] = XSettings
    cursor_type: ClassVar[type | None] = XCursor

    def __init__(self, name: str, settings: Any, env: Mapping[str, str] | None = None,
                 clock: Callable[[], datetime] | None = None):
        if not isinstance(settings, XSettings):
            settings = XSettings.model_validate(settings)
        super().__init__(name, settings, env, clock)
        self._client_obj: Any = None
        self._me: dict[str, str] | None = None

    # -- plumbing -------------------------------------------------------------------------

    def _environ(self) -> Mapping[str, str]:
        return os.environ if self.env is None else self.env

    def _secret(self, key: str) -> Secret | None:
        section = self.settings.model_dump()
        return secret_from_env(section, key, self.name, self._environ(), required=bool(section.get(key)))

    @property
    def _oauth1(self) -> bool:
        return all(getattr(self.settings, key) for key in OAUTH1_KEYS)

    @property
    def _has_user_context(self) -> bool:
        return self._oauth1 or self.settings.bearer_is_user_token

    def _client(self) -> Any:
        if self._client_obj is None:
            import tweepy

            def value(key: str) -> str | None:
                secret = self._secret(key)
                return secret.get() if secret else None

            client = tweepy.Client(
                bearer_token=value("bearer_token_env"), consumer_key=value("consumer_key_env"),
                consumer_secret=value("consumer_secret_env"), access_token=value("access_token_env"),
                access_token_secret=value("access_token_secret_env"), return_type=dict, wait_on_rate_limit=False,
            )
            timeout = (REQUEST_TIMEOUT[0], self.settings.timeout_seconds)
            client.session.mount(TWEEPY_HOST, redirect_adapter(self.settings.base_url, timeout))
            tweepy_log = logging.getLogger("tweepy")
            if tweepy_log.getEffectiveLevel() < logging.INFO:
                tweepy_log.setLevel(logging.INFO)  # its DEBUG lines print the Authorization header
            self._client_obj = client
        return self._client_obj

    def _call(self, what: str, method: str, delivers: bool = False, **kwargs: Any) -> dict[str, Any]:
        """Call one tweepy method; every failure leaves as a collector error with secrets scrubbed.

        `delivers` marks a send: a failure after the request may have reached X, or an answer
        that cannot be read, is `DeliveryUnknown` (X takes no idempotency key).
        """
        import requests
        import tweepy

        try:
            result = getattr(self._client(), method)(**kwargs)
        except tweepy.TweepyException as exc:
            raise translate_error(exc, what, self.clock()) from None
        except requests.RequestException as exc:
            raise network_failure(exc, f"X: {what}", delivers) from None
        except ValueError as exc:
            if delivers:
                raise unreadable_acceptance(f"X: {what}", 200) from None
            raise TransientError(f"X: gagal {what}: {redact(exc)}") from None
        if not isinstance(result, dict):
            if delivers:
                raise unreadable_acceptance(f"X: {what}", 200)
            raise TransientError(f"X: jawaban tak terduga saat {what} (bukan objek JSON)")
        return result

    def _identity(self) -> dict[str, str]:
        """The office's own account; asks /2/users/me only when config does not name it."""
        if self.settings.user_id and self.settings.username:
            return {"id": self.settings.user_id, "username": self.settings.username.lstrip("@")}
        if self._me is None:
            if not self._has_user_context:
                raise ConfigError(f"channels ({self.name}).user_id dan username wajib diisi: token bearer app-only "
                                  "tidak bisa menanyakan ke X akun mana yang dipakai")
            self._me = self._fetch_me()
        return {"id": self.settings.user_id or self._me["id"],
                "username": (self.settings.username or self._me.get("username", "")).lstrip("@")}

    def _fetch_me(self) -> dict[str, str]:
        data = self._call("membaca akun sendiri (/2/users/me)", "get_me", user_auth=self._oauth1,
                          user_fields=USER_FIELDS).get("data")
        if not isinstance(data, dict) or not str(data.get("id", "")).isdigit():
            raise CollectorError("X: /2/users/me tidak mengembalikan id akun")
        return {"id": str(data["id"]), "username": str(data.get("username", "")), "name": str(data.get("name", ""))}

    # -- reading --------------------------------------------------------------------------

    def fetch(self, cursor: Any) -> Batch:
        state = XCursor.coerce(cursor)
        before = state.positions()
        now = self.clock()
        if self.read_allowance is not None and self.read_allowance <= 0:
            return Batch([], state, more=False)
        run = ReadRun(self.settings.max_pages, self.read_allowance)
        parser = PageParser(self.name, self._identity()["id"], now)
        more = read_all(self.settings, self._call, state, run, parser, now,
                        mentions_auth=not self.settings.bearer_token_env,
                        dms_auth=self._oauth1 if self._has_user_context else None)
        if self.read_allowance is not None:
            self.read_allowance -= run.reads
        unique: dict[str, InboundMessage] = {}
        for message in run.messages:
            unique.setdefault(message.external_id, message)
        more = more and state.positions() != before  # asking again without having moved would only loop
        return Batch(list(unique.values()), state, run.quarantined, more=more, reads=run.reads)

    # -- sending --------------------------------------------------------------------------

    def send(self, outbound: OutboundMessage) -> SendResult:
        """A DM for private threads, else a reply tweet, only to a post that mentions the office.

        For the mention check, `outbound.context` may carry the answered post as `raw` (its
        JSON, a dict or a string) or `text`; without it the post is looked up (one read).
        """
        if not outbound.text.strip():
            raise SendRefused("Balasan kosong tidak dikirim ke X.")
        if not self._has_user_context:
            raise SendRefused("Membalas di X butuh kredensial user context (OAuth 1.0a atau token OAuth 2.0 "
                              "pengguna); token app-only hanya bisa membaca.")
        if outbound.is_private:
            return self._send_dm(outbound)
        target = outbound.in_reply_to
        if not target or not str(target).isdigit():
            raise SendRefused("Balasan publik X perlu ID postingan warga yang dibalas; kirim lewat DM bila tidak ada.")
        identity = self._identity()
        post = self._answered_post(outbound, str(target))
        if not mentions_account(post, identity["id"], identity["username"]):
            raise SendRefused("X hanya mengizinkan balasan otomatis ke postingan yang menyebut (mention) akun "
                              "kantor; postingan ini tidak menyebut akun kantor. Balas lewat DM.")
        try:
            result = self._call("mengirim balasan", "create_tweet", delivers=True, text=outbound.text,
                                in_reply_to_tweet_id=target, user_auth=self._oauth1)
        except ForbiddenError as exc:
            raise SendRefused(f"X menolak balasan publik ini; kirim lewat DM. ({exc})") from None
        data = result.get("data") or {}
        return self._sent(data.get("id"), result)

    def _answered_post(self, outbound: OutboundMessage, target: str) -> dict[str, Any]:
        raw = outbound.context.get("raw")
        if isinstance(raw, str):
            import json

            try:
                raw = json.loads(raw)
            except ValueError:
                raw = None
        if isinstance(raw, dict) and str(raw.get("id", target)) == target:
            return raw
        if isinstance(outbound.context.get("text"), str):
            return {"id": target, "text": outbound.context["text"]}
        try:
            found = self._call("memeriksa postingan yang dibalas", "get_tweet", id=target,
                               tweet_fields=["entities", "author_id", "conversation_id"],
                               user_auth=not self.settings.bearer_token_env)
        except NotFoundError:
            raise SendRefused("Postingan yang dibalas sudah dihapus atau tidak terlihat di X.") from None
        data = found.get("data")
        if not isinstance(data, dict):
            raise SendRefused("Postingan yang dibalas sudah dihapus atau tidak terlihat di X.")
        return data

    def _send_dm(self, outbound: OutboundMessage) -> SendResult:
        target: dict[str, str]
        if outbound.thread_key and outbound.thread_key.replace("-", "").isdigit():
            target = {"dm_conversation_id": outbound.thread_key}
        elif outbound.recipient_id and str(outbound.recipient_id).isdigit():
            target = {"participant_id": str(outbound.recipient_id)}
        else:
            raise SendRefused("Percakapan DM X tidak dikenal: tidak ada dm_conversation_id atau ID penerima.")
        try:
            result = self._call("mengirim DM", "create_direct_message", delivers=True, text=outbound.text,
                                user_auth=self._oauth1, **target)
        except ForbiddenError as exc:
            raise SendRefused(f"X menolak DM ini (penerima mungkin menutup DM dari akun kantor). ({exc})") from None
        data = result.get("data") or {}
        return self._sent(data.get("dm_event_id"), result)

    @staticmethod
    def _sent(external_id: Any, raw: dict[str, Any]) -> SendResult:
        if not external_id:
            raise unreadable_acceptance("X", 200)
        return SendResult(external_id=str(external_id), raw=raw)

    def check(self) -> str:
        """Who we are: /2/users/me with user context; an app-only token can only look up user_id."""
        if not self._has_user_context:
            if not self.settings.user_id:
                raise ConfigError(f"channels ({self.name}).user_id wajib diisi bila memakai token bearer app-only")
            data = self._call("memeriksa akun", "get_user", id=self.settings.user_id, user_fields=USER_FIELDS)
            user = data.get("data") if isinstance(data.get("data"), dict) else {}
            if not user:
                raise CollectorError(f"X: akun dengan user_id {self.settings.user_id} tidak ditemukan")
            return f"@{user.get('username', '?')} (id {self.settings.user_id}, hanya baca)"
        me = self._fetch_me()
        if self.settings.user_id and self.settings.user_id != me["id"]:
            raise CollectorError(f"X: user_id di konfigurasi ({self.settings.user_id}) bukan akun yang "
                                 f"terautentikasi ({me['id']})")
        return f"@{me['username']} (id {me['id']})"


__all__ = ["XCollector", "XCursor", "XSettings"]
