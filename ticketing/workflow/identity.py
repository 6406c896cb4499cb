"""Who is acting: proven by the operating system, or declared (`identity:` in config.yaml).

`identity: os` takes the OS account of the process's *real* uid (`pwd.getpwuid(os.getuid())`,
never `$USER`/`$LOGNAME`, which anyone can set) and finds the staff entry whose `os_user` (or
username) is that account. `--as`/`ADUAN_USER` then only choose among the staff that entry
`may_act_as` (the one shared office PC). `identity: declared` trusts `--as`, `ADUAN_USER` and
then the login name, as before; a config without the key keeps that behaviour and `aduan
health` warns about it. Every audit event also records the OS account that wrote it.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass

from ticketing.errors import PermissionDenied

OS = "os"
DECLARED = "declared"


def os_account() -> str:
    """The login name of the real uid; the uid itself when the account has no passwd entry."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):  # no pwd module (Windows) or a uid without an entry (containers)
        return str(os.getuid()) if hasattr(os, "getuid") else getpass.getuser()


@dataclass(frozen=True)
class Identity:
    username: str | None  # the staff user acted as; None: an OS account that is no staff (cron's)
    os_account: str  # who the operating system says runs the process
    mode: str = DECLARED


def not_staff(account: str) -> PermissionDenied:
    return PermissionDenied(
        f"akun OS {account!r} tidak terdaftar sebagai staf (identity: os). Tambahkan os_user: {account} "
        "pada entri staff yang sesuai di config.yaml"
    )


def _staff_for_account(settings, account: str):
    by_os = [s for s in settings.staff if s.os_user == account]
    if by_os:
        return by_os[0]
    member = settings.staff_member(account)
    return member if member is not None and member.os_user is None else None


def resolve(settings, flag_user: str | None, environ: Mapping[str, str]) -> Identity:
    """The acting staff username under the configured identity mode; refusals say how to fix it."""
    declared = flag_user or environ.get("ADUAN_USER")
    account = os_account()
    if (settings.identity or DECLARED) == DECLARED:
        return Identity(declared or getpass.getuser(), account)
    member = _staff_for_account(settings, account)
    if member is None:
        if declared:  # a name typed by an account the office does not know proves nothing
            raise not_staff(account)
        return Identity(None, account, OS)
    if declared and declared != member.username:
        if declared not in member.may_act_as:
            raise PermissionDenied(
                f"akun OS {account!r} ({member.username}) tidak boleh bertindak sebagai {declared!r} "
                f"(identity: os); tambahkan {declared!r} ke may_act_as milik {member.username}"
            )
        return Identity(declared, account, OS)
    return Identity(member.username, account, OS)
