"""Delivery reports from Postfix, Exim, Exchange and Gmail, written from RFC 3464 and the servers' output."""

from __future__ import annotations

from tests.data.mail.gen.common import OFFICE, case, expect, mail

REPLY = "aduan.ADU-2026-000{n}.{tag}@dukcapil.brebeskab.go.id"  # the office reply a report returns


def _returned(tag: str, n: str) -> str:
    return (f"From: Layanan Pengaduan Dindukcapil Brebes <{OFFICE}>\nTo: warga.{tag}@contoh.id\n"
            f"Subject: Re: [ADU-2026-000{n}] Pengaduan Anda\nMessage-ID: <{REPLY.format(n=n, tag=tag)}>\n"
            f"In-Reply-To: <warga-{tag}@contoh.id>\nReferences: <warga-{tag}@contoh.id>\n")


@case("postfix_bounce_user_unknown", "bounce")
def _():
    raw = mail(f"""Return-Path: <>
From: MAILER-DAEMON@mx1.dukcapil.brebeskab.go.id (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: {OFFICE}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4Zk8pQ1x2Mz3/mx1.dukcapil.brebeskab.go.id"
Content-Transfer-Encoding: 8bit
Message-Id: <20261123021500.4Zk8pQ1x2Mz3@mx1.dukcapil.brebeskab.go.id>
Date: Mon, 23 Nov 2026 09:15:00 +0700 (WIB)

This is a MIME-encapsulated message.

--4Zk8pQ1x2Mz3/mx1.dukcapil.brebeskab.go.id
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx1.dukcapil.brebeskab.go.id.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<warga.pf@contoh.id>: host mx.contoh.id[192.0.2.10] said: 550 5.1.1
    <warga.pf@contoh.id>: Recipient address rejected: User unknown

--4Zk8pQ1x2Mz3/mx1.dukcapil.brebeskab.go.id
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx1.dukcapil.brebeskab.go.id
X-Postfix-Queue-ID: 4Zk8pQ1x2Mz3
X-Postfix-Sender: rfc822; {OFFICE}
Arrival-Date: Mon, 23 Nov 2026 09:14:58 +0700 (WIB)

Final-Recipient: rfc822; warga.pf@contoh.id
Original-Recipient: rfc822;warga.pf@contoh.id
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.contoh.id
Diagnostic-Code: smtp; 550 5.1.1 <warga.pf@contoh.id>: Recipient address
    rejected: User unknown

--4Zk8pQ1x2Mz3/mx1.dukcapil.brebeskab.go.id
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

{_returned("pf", "101")}
--4Zk8pQ1x2Mz3/mx1.dukcapil.brebeskab.go.id--
""")
    return raw, expect("Undelivered Mail Returned to Sender", "mailer-daemon@mx1.dukcapil.brebeskab.go.id",
                       "Mail Delivery System", [], automatic=True, bounce=True,
                       bounce_of=REPLY.format(n="101", tag="pf"))


@case("postfix_delayed_not_failed", "bounce")
def _():
    raw = mail(f"""From: MAILER-DAEMON@mx1.dukcapil.brebeskab.go.id (Mail Delivery System)
Subject: Delayed Mail (still being retried)
To: {OFFICE}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="9QwErTy/mx1"
Message-Id: <20261123050000.9QwErTy@mx1.dukcapil.brebeskab.go.id>
Date: Mon, 23 Nov 2026 12:00:00 +0700 (WIB)

--9QwErTy/mx1
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx1.dukcapil.brebeskab.go.id.
Your message could not be delivered for 4.0 hours. It will be retried until it is 5.0 days old.

--9QwErTy/mx1
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx1.dukcapil.brebeskab.go.id

Final-Recipient: rfc822; warga.lambat@contoh.id
Action: delayed
Status: 4.4.1
Diagnostic-Code: X-Postfix; connect to mx.contoh.id[192.0.2.11]:25: Connection timed out

--9QwErTy/mx1
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

{_returned("lambat", "102")}
--9QwErTy/mx1--
""")
    return raw, expect("Delayed Mail (still being retried)", "mailer-daemon@mx1.dukcapil.brebeskab.go.id",
                       "Mail Delivery System", ["could not be delivered for 4.0 hours"], automatic=True)


@case("exim_dsn_mailbox_full", "bounce")
def _():
    raw = mail(f"""Return-path: <>
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@srv3.hosting.contoh.net>
To: {OFFICE}
References: <{REPLY.format(n="103", tag="ex")}>
Content-Type: multipart/report; report-type=delivery-status; boundary=1764000000-eximdsn-1804289383
MIME-Version: 1.0
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1tFq2a-0003Zx-1A@srv3.hosting.contoh.net>
Date: Mon, 23 Nov 2026 10:20:00 +0700

--1764000000-eximdsn-1804289383
Content-type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  warga.ex@contoh.id
    mailbox is full: retry timeout exceeded

--1764000000-eximdsn-1804289383
Content-type: message/delivery-status

Reporting-MTA: dns; srv3.hosting.contoh.net

Action: failed
Final-Recipient: rfc822;warga.ex@contoh.id
Status: 5.0.0

--1764000000-eximdsn-1804289383
Content-type: message/rfc822

{_returned("ex", "103")}MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Pengaduan Anda sedang kami proses.

--1764000000-eximdsn-1804289383--
""")
    return raw, expect("Mail delivery failed: returning message to sender", "mailer-daemon@srv3.hosting.contoh.net",
                       "Mail Delivery System", [], automatic=True, bounce=True,
                       bounce_of=REPLY.format(n="103", tag="ex"))


@case("exim_plain_text_bounce", "bounce")
def _():
    raw = mail(f"""Return-path: <>
From: Mail Delivery System <Mailer-Daemon@mail.lama.contoh.net>
To: {OFFICE}
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1tOLD0-0000aa-00@mail.lama.contoh.net>
X-Failed-Recipients: warga.lama@contoh.net
Date: Mon, 23 Nov 2026 10:30:00 +0700

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. The following address(es) failed:

  warga.lama@contoh.net
    retry time not reached for any host after a long failure period
""")
    return raw, expect("Mail delivery failed: returning message to sender", "mailer-daemon@mail.lama.contoh.net",
                       "Mail Delivery System", ["could not be delivered"], automatic=True)


@case("exchange_ndr_undeliverable", "bounce")
def _():
    html = ("<html><body><p><b><font color=\"#000066\" size=\"3\">Your message to warga.ms@contoh.id couldn't be "
            "delivered.</font></b></p><p>warga.ms wasn't found at contoh.id.</p></body></html>")
    raw = mail(f"""From: Microsoft Outlook <postmaster@contoso-brebes.contoh.onmicrosoft.com>
To: <{OFFICE}>
Date: Tue, 24 Nov 2026 01:01:01 +0000
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="b4a1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"
X-MS-Exchange-Message-Is-Ndr:
Content-Language: en-US
Message-ID: <b4a1c2d3-ndr-7788@SG2PR01MB9999.apcprd01.prod.exchangelabs.com>
In-Reply-To: <{REPLY.format(n="104", tag="ms")}>
References: <warga-ms@contoh.id> <{REPLY.format(n="104", tag="ms")}>
Subject: Undeliverable: Re: [ADU-2026-000104] Pengaduan Anda
Auto-Submitted: auto-replied
MIME-Version: 1.0

--b4a1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d
Content-Type: multipart/alternative; differences=Content-Type;
\tboundary="f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f"

--f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f
Content-Type: text/plain; charset="us-ascii"

Your message to warga.ms@contoh.id couldn't be delivered.
warga.ms wasn't found at contoh.id.

--f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f
Content-Type: text/html; charset="us-ascii"

{html}

--f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f--

--b4a1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d
Content-Type: message/delivery-status

Reporting-MTA: dns;SG2PR01MB9999.apcprd01.prod.exchangelabs.com
Received-From-MTA: dns;SG2PR01MB8888.apcprd01.prod.exchangelabs.com
Arrival-Date: Tue, 24 Nov 2026 01:01:00 +0000

Final-Recipient: rfc822;warga.ms@contoh.id
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup

--b4a1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d
Content-Type: message/rfc822

{_returned("ms", "104")}MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Mohon datang ke kantor.

--b4a1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d--
""")
    return raw, expect("Undeliverable: Re: [ADU-2026-000104] Pengaduan Anda",
                       "postmaster@contoso-brebes.contoh.onmicrosoft.com", "Microsoft Outlook", [],
                       automatic=True, bounce=True, bounce_of=REPLY.format(n="104", tag="ms"))


@case("gmail_dsn_address_not_found", "bounce")
def _():
    raw = mail(f"""Received: by 2002:a05:6a10:1234:b0:5e6:7f8:9abc with SMTP id abc123; Tue, 24 Nov 2026 02:02:02 -0800
Return-Path: <>
From: Mail Delivery Subsystem <mailer-daemon@googlemail.contoh.com>
To: {OFFICE}
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
References: <{REPLY.format(n="105", tag="gm")}>
In-Reply-To: <{REPLY.format(n="105", tag="gm")}>
X-Failed-Recipients: warga.gm@gmail.contoh.com
Message-ID: <6743a1b2.050a0220.3c4d5e.0000.GMR@mx.google.contoh.com>
Date: Tue, 24 Nov 2026 02:02:02 -0800 (PST)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="00000000000011223344556677"; report-type=delivery-status

--00000000000011223344556677
Content-Type: multipart/related; boundary="00000000000011223344556688"

--00000000000011223344556688
Content-Type: multipart/alternative; boundary="00000000000011223344556699"

--00000000000011223344556699
Content-Type: text/plain; charset="UTF-8"

** Address not found **

Your message wasn't delivered to warga.gm@gmail.contoh.com because the address couldn't be found, or is unable to receive mail.

--00000000000011223344556699
Content-Type: text/html; charset="UTF-8"

<html><body><h1>Address not found</h1><p>Your message wasn't delivered to <a>warga.gm@gmail.contoh.com</a> because the address couldn't be found, or is unable to receive mail.</p></body></html>

--00000000000011223344556699--
--00000000000011223344556688--
--00000000000011223344556677
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.contoh.com
Received-From-MTA: dns; mx1.dukcapil.brebeskab.go.id
Arrival-Date: Tue, 24 Nov 2026 02:02:01 -0800 (PST)

Final-Recipient: rfc822; warga.gm@gmail.contoh.com
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist.
Last-Attempt-Date: Tue, 24 Nov 2026 02:02:02 -0800 (PST)

--00000000000011223344556677
Content-Type: message/rfc822

{_returned("gm", "105")}MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"

Berkas Anda sudah kami terima.

--00000000000011223344556677--
""")
    return raw, expect("Delivery Status Notification (Failure)", "mailer-daemon@googlemail.contoh.com",
                       "Mail Delivery Subsystem", [], automatic=True, bounce=True,
                       bounce_of=REPLY.format(n="105", tag="gm"))


@case("bounce_from_without_domain", "bounce")
def _():
    raw = mail(f"""Return-Path: <>
From: MAILER-DAEMON
To: {OFFICE}
Subject: Returned mail: see transcript for details
Auto-Submitted: auto-generated (failure)
Message-Id: <202611230400.2AN40000012345@relay.desa.contoh.id>
Date: Mon, 23 Nov 2026 11:00:00 +0700
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="2AN40000012345.1764000000/relay"

--2AN40000012345.1764000000/relay
Content-Type: text/plain

The original message was received at Mon, 23 Nov 2026 10:59:00 +0700

   ----- The following addresses had permanent fatal errors -----
<warga.sm@desa.contoh.id>

--2AN40000012345.1764000000/relay
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.desa.contoh.id

Final-Recipient: RFC822; warga.sm@desa.contoh.id
Action: failed
Status: 5.1.1
Diagnostic-Code: SMTP; 550 5.1.1 User unknown

--2AN40000012345.1764000000/relay
Content-Type: text/rfc822-headers

{_returned("sm", "106")}
--2AN40000012345.1764000000/relay--
""")
    return raw, expect("Returned mail: see transcript for details", None, "", [], automatic=True, bounce=True,
                       bounce_of=REPLY.format(n="106", tag="sm"), flags=["no_reply_address"])
