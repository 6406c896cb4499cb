"""The one attachment store: files on disk by content hash, written atomically, streamed.

Every channel that keeps a file (email parts, webhook media) stores it here, so the same file
sent twice, or on two channels, is one file and `privacy purge` can tell when it is unused.

- The path is `<dir>/<sha256[:2]>/<sha256>`: no sender-chosen name touches the disk, and no
  directory grows past a few thousand entries.
- Bytes go to a temporary file in `<dir>` first, are flushed to disk, and are renamed into
  place: a crash mid-write leaves only a `.tmp-*` file, never a truncated file under the hash.
- A file already at the path is reused only after its checksum is verified; a damaged one (a
  disk error, an old in-place write cut short) is replaced by the new copy.
- Writes take an iterator of chunks, so a download or a mail part is never held whole in
  memory; `max_bytes` stops the stream as soon as it is exceeded and removes the temporary file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ticketing.errors import PayloadError

READ_CHUNK = 1 << 20  # bytes read at a time when verifying a stored file


class AttachmentTooLarge(PayloadError):
    """A file over the configured limit: not stored; the message is kept with the reason."""


@dataclass(frozen=True)
class StoredFile:
    path: str
    sha256: str
    size: int


def path_for(directory: Path | str, sha256: str) -> Path:
    return Path(directory) / sha256[:2] / sha256


def file_digest(path: Path) -> str | None:
    """The sha256 of a stored file, or None if it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(READ_CHUNK), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def store_stream(directory: Path | str, chunks: Iterable[bytes], max_bytes: int | None = None) -> StoredFile:
    """Write `chunks` to the store and return where they are; memory stays at one chunk."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".tmp-")
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise AttachmentTooLarge(f"file exceeds the {max_bytes}-byte limit")
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        sha256 = digest.hexdigest()
        target = path_for(root, sha256)
        if target.exists() and file_digest(target) == sha256:
            os.unlink(tmp)  # the same content is already stored, intact
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)  # atomic: readers see the old file or the whole new one
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return StoredFile(str(target.resolve()), sha256, size)


def store_bytes(directory: Path | str, data: bytes, max_bytes: int | None = None) -> StoredFile:
    """`store_stream` for bytes already in memory (a parsed mail part), sliced into chunks."""
    view = memoryview(data)
    return store_stream(directory, (bytes(view[i:i + READ_CHUNK]) for i in range(0, len(data), READ_CHUNK)),
                        max_bytes)
