"""Backup and restore of the ticket store.

SQLite (the embedded default): `backup` copies a live database with SQLite's online backup API,
which reads one consistent snapshot even while collectors and admins write (WAL readers never
block writers), writes it to a temporary file renamed into place, verifies the copy (integrity
check, row counts, the audit hash chain) and only then rotates old copies. `restore` refuses to
overwrite a database that holds tickets unless forced, and refuses a copy whose schema this
aduan does not know. PostgreSQL: `pg_dump`/`pg_restore` when installed; otherwise the commands to
run are named.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ticketing.errors import AduanError, Refused

PREFIX = "aduan-"
STAMP = "%Y%m%d-%H%M%S"  # UTC, in the copy's name: names sort by age
COUNTED = ("ticket", "message", "event", "contact", "attachment")  # the row counts a verified copy reports


class BackupError(AduanError):
    """A backup or restore could not be made or did not verify; nothing was replaced."""


@dataclass
class BackupResult:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    audit_events: int = 0
    removed: list[Path] = field(default_factory=list)


def sqlite_path(url: str) -> Path | None:
    prefix = "sqlite:///"
    if not url.startswith(prefix) or ":memory:" in url:
        return None
    return Path(url[len(prefix):])


def _connect(path: Path, read_only: bool = False) -> closing[sqlite3.Connection]:
    """A connection closed at the end of the `with` (sqlite3's own context manager only commits)."""
    if read_only:
        return closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30))
    return closing(sqlite3.connect(path, timeout=30))


def _copy(source: Path, target: Path) -> None:
    with _connect(source, read_only=True) as src, _connect(target) as dest:
        src.backup(dest)  # one step: a single consistent snapshot of the source


def _counts(path: Path) -> dict[str, int]:
    with _connect(path, read_only=True) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in COUNTED if t in tables}


def verify_copy(path: Path) -> tuple[dict[str, int], int]:
    """Integrity check, row counts and the audit chain of a copy; BackupError when any fails."""
    from ticketing.store.db import make_engine
    from ticketing.workflow.audit import verify_database

    with _connect(path, read_only=True) as conn:
        status = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if status != "ok":
        raise BackupError(f"salinan {path} rusak (integrity_check: {status})")
    engine = make_engine(f"sqlite:///{path}")
    try:
        audit = verify_database(engine)
    finally:
        engine.dispose()
    if not audit["ok"]:
        raise BackupError(f"rantai audit salinan {path} tidak utuh: {audit['first_problem']}")
    return _counts(path), audit["events"]


def backup_folder(settings, given: str | None = None) -> Path:
    """The folder for copies: `given`, else `backup.dir`; relative to the config file, so cron's cwd
    does not matter."""
    folder = Path(given or settings.backup.dir).expanduser()
    if not folder.is_absolute() and settings.source and settings.source != "defaults":
        folder = Path(settings.source).resolve().parent / folder
    return folder


def taken_at(copy: Path) -> datetime:
    """When a copy was taken: from its name (written from the command's clock, in UTC)."""
    stamp = copy.name.removeprefix(PREFIX).split(".", 1)[0]
    try:
        return datetime.strptime(stamp, STAMP).replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(copy.stat().st_mtime, UTC)


def backups_in(folder: Path) -> list[Path]:
    """Verified copies in `folder`, newest first (names sort by their timestamp)."""
    return sorted(folder.glob(f"{PREFIX}*.db"), reverse=True) if folder.is_dir() else []


def backup_sqlite(database: Path, folder: Path, now: datetime, keep: int) -> BackupResult:
    if not database.exists():
        raise BackupError(f"basis data {database} tidak ada")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{PREFIX}{now.astimezone(UTC).strftime(STAMP)}.db"
    partial = target.with_suffix(".db.partial")
    partial.unlink(missing_ok=True)
    _copy(database, partial)
    try:
        counts, events = verify_copy(partial)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    result = BackupResult(target, counts, events)
    for old in backups_in(folder)[keep:]:
        old.unlink()
        result.removed.append(old)
    return result


def restore_sqlite(copy: Path, database: Path, force: bool) -> BackupResult:
    """Replace `database` with a verified copy; refuses a non-empty target unless forced."""
    from ticketing.store.migrate import known_revisions

    if not copy.exists():
        raise BackupError(f"salinan {copy} tidak ada")
    counts, events = verify_copy(copy)
    with _connect(copy, read_only=True) as conn:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    if revision is None or revision[0] not in known_revisions():
        raise Refused(f"skema salinan ({revision[0] if revision else 'tanpa versi'}) tidak dikenal aduan ini; "
                      "pulihkan dengan versi aduan yang membuatnya")
    if database.exists() and not force:
        existing = _counts(database)
        if any(existing.get(t) for t in ("ticket", "message", "event")):
            raise Refused(f"basis data {database} tidak kosong ({existing.get('ticket', 0)} tiket); "
                          "tambahkan --force untuk menimpanya")
    _copy(copy, database)
    return BackupResult(database, counts, events)


def pg_backup(url: str, folder: Path, now: datetime) -> Path:
    """`pg_dump -Fc` of the configured database, or a Refused naming what to run."""
    tool = shutil.which("pg_dump")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{PREFIX}{now.astimezone(UTC).strftime(STAMP)}.dump"
    plain = _libpq_url(url)
    if tool is None:
        raise Refused(f"pg_dump tidak terpasang; jalankan: pg_dump -Fc -f {target} '<DATABASE_URL>' "
                      "(apt-get install postgresql-client)")
    done = subprocess.run([tool, "-Fc", "-f", str(target), plain], capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump gagal: {done.stderr.strip()[:300]}")
    return target


def pg_restore(copy: Path, url: str) -> None:
    tool = shutil.which("pg_restore")
    if tool is None:
        raise Refused(f"pg_restore tidak terpasang; jalankan: pg_restore --clean --if-exists -d '<DATABASE_URL>' "
                      f"{copy}")
    done = subprocess.run([tool, "--clean", "--if-exists", "-d", _libpq_url(url), str(copy)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore gagal: {done.stderr.strip()[:300]}")


def _libpq_url(url: str) -> str:
    """libpq wants postgresql://, not SQLAlchemy's postgresql+psycopg://."""
    return "postgresql://" + url.split("://", 1)[1]
