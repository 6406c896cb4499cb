"""The office's routing choices (`routing:` in config.yaml), validated once at the edge.

domain.md §4 leaves some routes to the office ("[office to choose]", "[verify]"); each is a key
here with domain.md's default, so changing a route is a config edit, not a release:

* `not_ours_bidang`: messages that are not Dukcapil's authority (SIM, paspor, KUA, BPJS as such)
  go to no bidang by default: the admin closes them with the `not_ours_template` redirect reply.
* `queue_bidang`: complaints about queues and opening hours, SEKRETARIAT or PDIP.
* `ikd_bidang` / `ikd_errors_bidang`: IKD questions (DAFDUK) and IKD technical errors (PIAK);
  `online_errors_bidang`: technical errors of the online services (PIAK).
* `review_threshold`: below this confidence no bidang is suggested; the ticket reads
  *perlu ditinjau* (review needed) until an admin routes it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

BIDANG_CODES = ("DAFDUK", "CAPIL", "PIAK", "PDIP", "SEKRETARIAT")  # mirrors ticketing.config; no import cycle
# Best bidang accuracy in cross-validation on the training data: 0.30 gives 95.2 % with 2 % of
# messages left for review; 0.45 gives 93.2 % with 6 %, 0.6 gives 87.7 % with 13 %.
DEFAULT_THRESHOLD = 0.30


class RoutingOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    rules_file: str | None = None
    model: bool = True  # false: the keyword rules alone
    model_file: str | None = None  # written by `aduan classify train`; null = the shipped model
    review_threshold: float = Field(default=DEFAULT_THRESHOLD, ge=0, le=1)
    not_ours_bidang: str | None = None
    not_ours_template: str = "bukan-kewenangan"
    queue_bidang: str = "SEKRETARIAT"
    ikd_bidang: str = "DAFDUK"
    ikd_errors_bidang: str = "PIAK"
    online_errors_bidang: str = "PIAK"

    @field_validator("not_ours_bidang", "ikd_bidang", "ikd_errors_bidang", "online_errors_bidang")
    @classmethod
    def _bidang(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.upper() not in BIDANG_CODES:
            raise ValueError(f"unknown bidang {value!r}; use one of {', '.join(BIDANG_CODES)}")
        return value.upper()

    @field_validator("queue_bidang")
    @classmethod
    def _queue(cls, value: str) -> str:
        if value.upper() not in ("SEKRETARIAT", "PDIP"):
            raise ValueError("queue complaints go to SEKRETARIAT or PDIP (domain.md §4)")
        return value.upper()

    def bidang_overrides(self) -> dict[str, str | None]:
        """Category -> bidang where the office's choice replaces the rules file's."""
        return {"bukan-kewenangan": self.not_ours_bidang, "antrean": self.queue_bidang, "ikd": self.ikd_bidang}

    def technical_overrides(self) -> dict[str, str]:
        return {"ikd": self.ikd_errors_bidang, "layanan-online": self.online_errors_bidang}


def routing_options(raw: dict[str, Any] | RoutingOptions | None) -> RoutingOptions:
    if isinstance(raw, RoutingOptions):
        return raw
    return RoutingOptions.model_validate(raw or {})


def validate_routing(raw: dict[str, Any] | None) -> dict[str, Any]:
    """For Settings: the same dict back with defaults filled, or a ValueError naming the key."""
    try:
        return routing_options(raw).model_dump()
    except ValidationError as exc:
        problems = "; ".join(f"routing.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ValueError(problems) from None
