"""Benchmarks (`python -m bench`). Importing the package isolates the process from the operator's
aduan environment: on the office server `ADUAN_DATABASE_URL` / `ADUAN_CONFIG` point at the live
database, and a benchmark writes thousands of rows, so every benchmark builds its own scratch
databases and configs and none of those variables may leak into it (or into the processes it starts).
"""

from __future__ import annotations

import os

# Variables a benchmark may still read: the shared test servers it makes scratch databases on,
# and its own data cache. Every other ADUAN_* (database, config, Redis, user, clock, faults) is dropped.
KEPT_PREFIXES = ("ADUAN_TEST_", "ADUAN_BENCH_")


def isolate_environment(environ: os._Environ | dict = os.environ) -> list[str]:
    """Remove the operator's aduan variables; the names removed (for a note, never their values)."""
    dropped = [key for key in environ if key.startswith("ADUAN_") and not key.startswith(KEPT_PREFIXES)]
    for key in dropped:
        del environ[key]
    return dropped


isolate_environment()
