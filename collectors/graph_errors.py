"""Graph API errors and quota headers: the ONE place that turns Graph error codes into the error tree.

Graph errors carry `code`/`error_subcode`; throttling is also announced ahead in the usage
headers (X-App-Usage, X-Page-Usage, X-Business-Use-Case-Usage). Tokens travel in Graph URLs, so
every error text goes through `ticketing.privacy.redact.redact`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from collectors.http import DEFAULT_BACKOFF, later_of, raise_for_status
from ticketing.contract import AuthExpired, CollectorError, RateLimited, SendRefused, TransientError
from ticketing.privacy.redact import redact

RATE_LIMIT_BACKOFF = timedelta(minutes=5)  # Graph windows roll over minutes; polling sooner burns budget
POLICY_BLOCK_BACKOFF = timedelta(hours=1)  # code 368 is a policy block: hammering it prolongs it

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
