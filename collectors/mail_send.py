"""Compose the office's reply as a proper mail in the citizen's thread, and hand it to SMTP.

Threading headers point into the conversation (In-Reply-To; References as RFC 5322 3.6.4 says,
the parent's References and its Message-ID, bounded to the oldest plus the last ten), the
subject carries the ticket reference with exactly one `Re:`, and every value taken from
citizens' mail is cleaned first: a crafted subject can never add a header (the default policy
would raise on CR/LF; we never let it get that far).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from collectors.imap_client import tls_context
from collectors.mail_auto import AUTOMATIC_SENDER
from collectors.mail_text import clean_header, strip_reply_prefixes
from ticketing.clock import OFFICE_TZ
from ticketing.contract import (
    AuthExpired,
    CollectorError,
    DeliveryUnknown,
    OutboundMessage,
    SendRefused,
    TransientError,
)
from ticketing.privacy.redact import redact

MAX_REFERENCES = 11  # the root plus the last ten: long threads must not grow the header without bound
DEFAULT_SUBJECT = "Pengaduan Anda"
NO_REPLY_ADDRESS = "tanpa alamat balasan"  # why a reply to a mail that named no address is refused


def _clean_id(value: str | None) -> str | None:
    text = clean_header(value or "", limit=250).strip("<> ")
    return text if text and " " not in text and "<" not in text and ">" not in text else None


def references_chain(root: str | None, earlier: Iterable[str], parent: str | None) -> list[str]:
    """RFC 5322 3.6.4: the parent's References followed by the parent's Message-ID; the ticket's root
    leads only when the parent had no References. Bounded: the oldest id and the newest ten."""
    earlier_ids = [i for i in (_clean_id(x) for x in earlier) if i]
    lead = [] if earlier_ids else [_clean_id(root)]
    chain = [i for i in (*lead, *earlier_ids, _clean_id(parent)) if i]
    chain = list(dict.fromkeys(chain))
    if len(chain) > MAX_REFERENCES:
        chain = chain[:1] + chain[-(MAX_REFERENCES - 1):]
    return chain


def reply_subject(subject: str | None, ticket_ref: str | None) -> str:
    base = strip_reply_prefixes(subject or "") or DEFAULT_SUBJECT
    tag = f"[{clean_header(ticket_ref, limit=40)}] " if ticket_ref else ""
    return f"Re: {tag}{base}"


def recipient_address(outbound: OutboundMessage, from_address: str) -> str:
    """The citizen's address, validated; replies to ourselves or to daemons are refused (mail loops)."""
    value = clean_header(outbound.recipient_id or outbound.context.get("to") or "", limit=320)
    _name, address = parseaddr(value)
    address = address.lower()
    if not value:
        raise SendRefused(f"{NO_REPLY_ADDRESS}: surat warga tidak memuat alamat email; balasan tidak dikirim")
    if not address or "@" not in address or any(c in address for c in " <>,;\"'"):
        raise SendRefused("alamat email penerima tidak diketahui atau tidak sah; balasan tidak dikirim")
    if address == from_address.lower():
        raise SendRefused("penerima adalah alamat kantor sendiri; balasan tidak dikirim (mencegah loop surat)")
    if AUTOMATIC_SENDER.match(address):
        raise SendRefused(f"{address} adalah alamat otomatis (bounce/no-reply); balasan tidak dikirim")
    return address


def compose_reply(outbound: OutboundMessage, *, from_address: str, from_name: str, domain: str,
                  now: datetime) -> EmailMessage:
    """The reply as an EmailMessage; its Message-ID is what the channel reports as external id."""
    to = recipient_address(outbound, from_address)
    context = outbound.context or {}
    msg = EmailMessage()
    msg["From"] = formataddr((clean_header(from_name, limit=120), from_address))
    msg["To"] = to
    msg["Subject"] = reply_subject(outbound.subject or context.get("subject"), outbound.ticket_ref)
    msg["Date"] = format_datetime(now.astimezone(OFFICE_TZ))
    idstring = "aduan." + (clean_header(outbound.ticket_ref, limit=40) if outbound.ticket_ref else "reply")
    msg["Message-ID"] = make_msgid(idstring=idstring, domain=domain)
    parent = _clean_id(outbound.in_reply_to) or _clean_id(outbound.thread_key)
    chain = references_chain(outbound.thread_key, context.get("references") or (), parent)
    if parent:
        msg["In-Reply-To"] = f"<{parent}>"
    if chain:
        msg["References"] = " ".join(f"<{i}>" for i in chain)
    # RFC 3834: a person's answer says "no"; an automatic acknowledgement says what it is.
    msg["Auto-Submitted"] = "auto-replied" if context.get("automatic") else "no"
    if outbound.ticket_ref:
        msg["X-Aduan-Ticket"] = clean_header(outbound.ticket_ref, limit=40)
    msg.set_content(outbound.text)
    return msg


def bare_message_id(msg: EmailMessage) -> str:
    return str(msg["Message-ID"]).strip().strip("<>")


def _smtp_error(exc: smtplib.SMTPResponseException, what: str, stage: str) -> CollectorError:
    text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    message = f"{what}: SMTP {stage} answered {exc.smtp_code}: {redact(text)[:200]}"
    return TransientError(message) if 400 <= exc.smtp_code < 500 else CollectorError(message)


class _DataEndTracking:
    """Remembers when the end-of-data marker left: from then on the server may have taken the mail."""

    data_ended = False

    def send(self, s):  # smtplib's one write path; DATA's body is the only write ending in CRLF.CRLF
        super().send(s)  # type: ignore[misc]
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.data_ended = True


class _SMTP(_DataEndTracking, smtplib.SMTP):
    pass


class _SMTPSSL(_DataEndTracking, smtplib.SMTP_SSL):
    pass


def smtp_send(msg: EmailMessage, *, host: str, port: int, security: str, username: str | None,
              password: str | None, timeout: float, ca_file: str | None, what: str) -> None:
    """Hand one mail to the SMTP server; errors are classified so the outbox retries only what may succeed.

    A connection lost or timed out after the end of DATA, before the server's answer, may have
    delivered the mail: `DeliveryUnknown`. A failure after the 250 (at QUIT) changes nothing.
    """
    smtp = None
    try:
        if security == "ssl":
            smtp = _SMTPSSL(host, port, timeout=timeout, context=tls_context(ca_file))
        else:
            smtp = _SMTP(host, port, timeout=timeout)
        if security == "starttls":
            smtp.starttls(context=tls_context(ca_file))
        if username and password:
            smtp.login(username, password)
        smtp.send_message(msg)
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        if smtp is not None and smtp.data_ended and not isinstance(exc, smtplib.SMTPResponseException):
            _close(smtp)
            raise DeliveryUnknown(f"{what}: SMTP connection lost after the mail was handed over, before the "
                                  f"server answered ({type(exc).__name__}); it may have been delivered") from None
        _close(smtp)
        _classify(exc, what, host, port, username)
    except Exception as exc:
        _close(smtp)
        _classify(exc, what, host, port, username)
    else:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass  # the server already said 250: the mail is accepted
        finally:
            _close(smtp)


def _close(smtp) -> None:
    if smtp is not None:
        with contextlib.suppress(OSError):
            smtp.close()


def _classify(exc: BaseException, what: str, host: str, port: int, username: str | None) -> None:
    """Raise the error-tree member for an SMTP failure before the end of DATA (or a refusal after it)."""
    try:
        raise exc
    except smtplib.SMTPAuthenticationError as exc:
        raise AuthExpired(f"{what}: SMTP login for {username} rejected ({exc.smtp_code})") from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            raise SendRefused(f"server surat menolak penerima ({', '.join(map(str, codes))})") from None
        raise TransientError(f"{what}: SMTP recipient temporarily refused ({codes})") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise CollectorError(f"{what}: SMTP server does not support this ({redact(exc)}); check smtp_security "
                             "and smtp_auth") from None
    except smtplib.SMTPResponseException as exc:
        raise _smtp_error(exc, what, "send") from None
    except ssl.SSLError as exc:
        raise CollectorError(f"{what}: TLS to SMTP {host}:{port} failed ({exc.__class__.__name__}); check "
                             "smtp_security/ca_file") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientError(f"{what}: cannot reach SMTP {host}:{port}: {redact(exc)}") from None
