"""Telegram files as attachment rows: `getFile`, then the file URL, within the size limit.

The Bot API hands a bot files of at most 20 MB; the configured `max_attachment_bytes` is checked
first against the size the message declares (no request at all for a file that is too big) and
again against the bytes received. Every failure is recorded on the attachment
(`skipped_reason`), never raised: the citizen's text is stored whatever happens to the file.
Files go to the one attachment store (`ticketing.store.attachments`), content-addressed like e-mail's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from collectors.mail_text import looks_like_identity_document, sniff_type
from collectors.telegram_update import MediaItem
from ticketing.contract import Attachment
from ticketing.errors import RateLimited
from ticketing.privacy.redact import redact
from ticketing.store.attachments import store_bytes

BOT_API_FILE_LIMIT = 20 * 1024 * 1024  # getFile refuses bigger files


class MediaFetcher:
    """Turns the media items of a page into attachments, one request pair per file."""

    def __init__(self, get_file: Callable[[str], Any], download: Callable[[str], bytes],
                 directory: str | None, max_bytes: int):
        self._get_file, self._download = get_file, download
        self.directory, self.max_bytes = directory, min(max_bytes, BOT_API_FILE_LIMIT)

    def attachments(self, items: list[MediaItem], flags: list[str]) -> list[Attachment]:
        found = [self._one(item) for item in items]
        if any(a.skipped_reason for a in found) and "attachment_skipped" not in flags:
            flags.append("attachment_skipped")
        if any(a.sensitive for a in found) and "identity_document" not in flags:
            flags.append("identity_document")
        return found

    def _skipped(self, item: MediaItem, reason: str, size: int | None = None) -> Attachment:
        return Attachment(item.filename, item.content_type, item.size if size is None else size,
                          skipped_reason=reason[:200],
                          sensitive=looks_like_identity_document(item.filename, item.content_type))

    def _one(self, item: MediaItem) -> Attachment:
        if item.file_id is None:
            return self._skipped(item, "tanpa file_id")
        if item.size > self.max_bytes:
            return self._skipped(item, f"melebihi batas {self.max_bytes} byte")
        if not self.directory:
            return self._skipped(item, "penyimpanan lampiran tidak diatur (attachments_dir)")
        try:
            info = self._get_file(item.file_id)
            path = info.get("file_path") if isinstance(info, dict) else None
            if not isinstance(path, str) or not path:
                return self._skipped(item, "getFile tanpa file_path (berkas tidak tersedia)")
            data = self._download(path)
        except RateLimited:
            raise  # the whole run waits; the page is read again later
        except Exception as exc:  # recorded on the row; the message is stored anyway
            return self._skipped(item, f"gagal diunduh: {redact(exc)}")
        if len(data) > self.max_bytes:
            return self._skipped(item, f"melebihi batas {self.max_bytes} byte", size=len(data))
        digest = hashlib.sha256(data).hexdigest()
        sniffed = sniff_type(data)
        kind = item.content_type if sniffed in ("application/octet-stream", "text/plain") else sniffed
        stored = store_bytes(self.directory, data).path
        return Attachment(item.filename, kind, len(data), digest, stored,
                          sensitive=looks_like_identity_document(item.filename, kind))
