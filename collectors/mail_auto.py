"""Recognise automatic mail (RFC 3834) and read delivery status notifications (RFC 3464).

Automatic mail is stored but never opens a ticket and never gets an answer: answering an
out-of-office or a bounce is how mail loops start. A DSN names the Message-ID of the mail
that failed; the office's reply with that id is then marked undelivered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser, HeaderParser

from collectors.mail_text import clean_header

_AUTO_SUBJECT = re.compile(
    r"^\s*(?:out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?reply|balasan otomatis|"
    r"jawaban otomatis|auto\s*:|undeliver(?:ed|able)|delivery status notification|"
    r"mail delivery (?:failed|failure|subsystem)|returned mail|failure notice|abwesenheitsnotiz)", re.I)
# The robot word may stand anywhere in the local part between separators: forms-receipts-noreply@, noreply.portal@
AUTOMATIC_SENDER = re.compile(
    r"^(?:[^@]*[._+-])?(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)(?:[._+-][^@]*)?@", re.I)
_MSGID = re.compile(r"<([^<>\s]{1,250})>")


@dataclass
class BounceReport:
    """What a DSN says about the mail it returns."""

    original_message_id: str | None
    original_references: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    status: str = ""
    diagnostic: str = ""
    failed: bool = True

    def reason(self) -> str:
        who = ", ".join(self.recipients) or "penerima"
        detail = " ".join(x for x in (self.status, self.diagnostic) if x) or "tanpa keterangan"
        return f"surat ke {who} tidak terkirim: {detail}"[:500]


def _get(msg: Message, name: str) -> str:
    try:
        return clean_header(msg.get(name, "") or "")
    except Exception:  # a malformed header must not stop the check
        return ""


def automatic_reason(msg: Message, subject: str, from_address: str, bounce: BounceReport | None,
                     human_reply_to: bool = False) -> str | None:
    """Why this mail is automatic, or None for a person's mail. Any one signal is enough, except that a
    no-reply sender with a person's Reply-To (web forms, portals) is that person writing."""
    auto_submitted = _get(msg, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = _get(msg, "Precedence").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "List-Id", "List-Unsubscribe",
                 "X-Loop"):
        if msg.get(name) is not None:
            return f"{name} present"
    if _get(msg, "Return-Path") == "<>":
        return "null Return-Path"
    if from_address and AUTOMATIC_SENDER.match(from_address) and not human_reply_to:
        return f"sender {from_address}"
    if bounce is not None or msg.get_content_type() == "multipart/report":
        return "delivery report"
    if _AUTO_SUBJECT.match(subject):
        return "subject looks automatic"
    return None


def _ids(value: str) -> list[str]:
    return list(dict.fromkeys(_MSGID.findall(value)))


def _original_headers(report: Message) -> Message | None:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "text/rfc822-headers":
            payload = part.get_payload(decode=True) or b""
            if isinstance(payload, str):
                payload = payload.encode("utf-8", "surrogateescape")
            return BytesParser(policy=policy.default).parsebytes(payload, headersonly=True)
        if kind == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                return inner
    return None


def _status_blocks(report: Message) -> list[Message]:
    for part in report.walk():
        if part.get_content_type() == "message/delivery-status":
            payload = part.get_payload()
            if isinstance(payload, list):
                return [p for p in payload if isinstance(p, Message)]
            if isinstance(payload, str):  # some parsers keep it as text: read the blocks ourselves
                return [HeaderParser().parsestr(block) for block in re.split(r"\r?\n\r?\n", payload) if block.strip()]
    return []


def parse_bounce(msg: Message) -> BounceReport | None:
    """A DSN's failed recipients, status, diagnostic and the original Message-ID; None if not a DSN."""
    if msg.get_content_type() != "multipart/report":
        return None
    if (msg.get_param("report-type") or "").lower() != "delivery-status":
        return None
    recipients, statuses, diagnostics, actions = [], [], [], []
    for block in _status_blocks(msg):
        action = _get(block, "Action").lower()
        if not action:
            continue
        actions.append(action)
        if action != "failed":
            continue
        recipient = _get(block, "Final-Recipient") or _get(block, "Original-Recipient")
        recipients.append(recipient.split(";", 1)[-1].strip().lower())
        statuses.append(_get(block, "Status"))
        diagnostics.append(_get(block, "Diagnostic-Code").split(";", 1)[-1].strip())
    original = _original_headers(msg)
    original_id = None
    references: list[str] = []
    if original is not None:
        ids = _ids(_get(original, "Message-ID"))
        original_id = ids[0] if ids else None
        references = _ids(_get(original, "References"))
    return BounceReport(
        original_message_id=original_id, original_references=references,
        recipients=[r for r in recipients if r], status=", ".join(dict.fromkeys(s for s in statuses if s)),
        diagnostic="; ".join(dict.fromkeys(d for d in diagnostics if d))[:300],
        failed="failed" in actions,
    )
