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

from ticketing.config.sections import RoutingSettings as RoutingOptions


def routing_options(raw: dict[str, Any] | RoutingOptions | None) -> RoutingOptions:
    if isinstance(raw, RoutingOptions):
        return raw
    return RoutingOptions.model_validate(raw or {})
