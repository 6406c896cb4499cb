"""Write every case as NN_slug.eml with NN_slug.yaml beside it, replacing the previous files."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.data.mail.gen import (  # noqa: F401  (importing registers the cases)
    apple,
    bounces,
    charsets_broken,
    outlook,
    thunderbird,
    webforms,
    webmail,
)
from tests.data.mail.gen.common import CASES

TARGET = Path(__file__).resolve().parent.parent
FAMILIES = ["outlook", "apple", "gmail", "yahoo", "thunderbird", "webform", "bounce", "charset", "broken"]


def main() -> None:
    for old in [*TARGET.glob("*.eml"), *TARGET.glob("*.yaml")]:
        old.unlink()
    for number, case in enumerate(sorted(CASES, key=lambda c: FAMILIES.index(c.family)), start=1):
        stem = f"{number:02d}_{case.slug}"
        (TARGET / f"{stem}.eml").write_bytes(case.raw)
        data = {"family": case.family, **case.expect}
        (TARGET / f"{stem}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                             encoding="utf-8")
    print(f"{len(CASES)} mails written to {TARGET}")


if __name__ == "__main__":
    main()
