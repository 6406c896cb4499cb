"""The architecture as tests (issue 14): who may import whom, the plugin contract, the error tree
and strict configuration.

* Nothing under `ticketing/` imports `collectors` (the core owns the contract; channels are
  adapters found through entry points), and only `cli.py` and `commands/` import `commands`.
* A third-party channel registered only through an entry point polls and receives webhooks.
* Every error class aduan defines derives from `AduanError`.
* A misspelt key in any section of config.yaml exits 2 naming the key's path (channel sections:
  `aduan config check`; at collect time the channel fails alone, like any failing channel).
"""

from __future__ import annotations

import ast
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from tests.cli_helpers import ROOT, make_config, run_cli

PLUGIN_DIR = ROOT / "tests" / "plugins" / "parrot"
PRODUCTION = ["ticketing", "collectors", "commands", "cli.py", "worker.py", "migrations"]


def modules(*roots: str) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        path = ROOT / root
        found.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return found


def imported(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-level imports count too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _top(name: str) -> str:
    return name.split(".")[0]


def test_the_core_imports_no_collector():
    offenders = {str(p.relative_to(ROOT)): sorted(n for n in imported(p) if _top(n) == "collectors")
                 for p in modules("ticketing")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_cli_imports_command_modules():
    allowed = {ROOT / "cli.py", *modules("commands")}
    offenders = {str(p.relative_to(ROOT)): sorted(n for n in imported(p) if _top(n) == "commands")
                 for p in modules("ticketing", "collectors", "worker.py", "migrations", "bench") if p not in allowed}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_import_rule_sees_function_level_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from collectors.x import XCollector\n    import commands.inbox\n")
    assert {"collectors.x", "commands.inbox"} <= imported(sample)


def test_every_error_class_derives_from_the_root():
    import importlib
    import inspect

    from ticketing.errors import AduanError

    strays = []
    for path in modules(*PRODUCTION):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
        if not classes:
            continue
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        if name.startswith("migrations"):
            continue
        module = importlib.import_module(name)
        for cls_name in classes:
            cls = getattr(module, cls_name, None)
            if inspect.isclass(cls) and issubclass(cls, BaseException) and not issubclass(cls, AduanError):
                strays.append(f"{name}.{cls_name}")
    assert strays == []


def test_every_core_package_says_what_lives_there():
    packages = sorted({p.parent for p in (ROOT / "ticketing").rglob("*.py")})
    assert len(packages) >= 10
    for package in packages:
        init = package / "__init__.py"
        assert init.exists(), f"{package.relative_to(ROOT)} is a namespace package: an install would miss it"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 80, f"{init.relative_to(ROOT)} needs a docstring naming its parts and imports"


# --- a third-party channel ------------------------------------------------------------------------

SECRET = "parrot-secret-for-tests"


def _plugin_env() -> dict[str, str]:
    return {"PYTHONPATH": os.pathsep.join([str(PLUGIN_DIR), str(ROOT)]), "PARROT_SECRET": SECRET}


@pytest.fixture
def parrot_config(tmp_path):
    inbox = tmp_path / "parrot.jsonl"
    inbox.write_text(json.dumps({"id": "p1", "from": "warga-1", "text": "KTP-el saya belum jadi", "ts": 1795399200})
                     + "\n", encoding="utf-8")
    channel = {"name": "parrot-1", "type": "parrot", "enabled": True, "inbox_file": str(inbox),
               "secret_env": "PARROT_SECRET"}
    return make_config(tmp_path, channels=[channel]), inbox


def _inbox_texts(config: Path) -> list[str]:
    result = run_cli(config, "inbox", "--json", env=_plugin_env())
    assert result.code == 0, result.err
    return sorted(row["summary"] for row in json.loads(result.out))


def test_a_plugin_found_only_by_its_entry_point_polls(parrot_config):
    config, inbox = parrot_config
    assert "parrot" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # not a built-in
    first = run_cli(config, "collect", env=_plugin_env())
    assert first.code == 0, first.out + first.err
    assert "parrot-1: 1 pesan baru" in first.out
    again = run_cli(config, "collect", env=_plugin_env())
    assert again.code == 0 and "parrot-1: 0 pesan baru" in again.out  # its cursor was stored and used
    assert _inbox_texts(config) == ["KTP-el saya belum jadi"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_plugin_found_only_by_its_entry_point_receives_webhooks(parrot_config):
    from tests.cli_helpers import cli_env

    config, _inbox = parrot_config
    port = _free_port()
    env = cli_env(config, "2026-11-23T03:00:00+00:00", _plugin_env())
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "webhook", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"{url}/healthz", timeout=0.5)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode()[-800:]
                time.sleep(0.05)
        body = json.dumps({"messages": [{"id": "w1", "from": "warga-2", "text": "akta kelahiran anak saya hilang",
                                         "ts": 1795400000}]}).encode()
        good = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert requests.post(f"{url}/webhook/parrot-1", data=body, headers={"X-Parrot-Signature": "0" * 64},
                             timeout=5).status_code == 401
        assert requests.post(f"{url}/webhook/parrot-1", data=body, headers={"X-Parrot-Signature": good},
                             timeout=5).status_code == 200
        deadline = time.monotonic() + 20
        while "akta kelahiran anak saya hilang" not in _inbox_texts(config):
            assert time.monotonic() < deadline, "the stored webhook was never ingested"
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert _inbox_texts(config) == ["akta kelahiran anak saya hilang"]  # the bad signature stored nothing


# --- strict configuration -----------------------------------------------------------------------------

MISSPELT = [
    ("office", "timezon", "Asia/Jakarta", "office.timezon"),
    ("database", "urll", "sqlite:///x.db", "database.urll"),
    ("redis", "uri", None, "redis.uri"),
    ("sla", "warn_befor_hours", 4, "sla.warn_befor_hours"),
    ("ingest", "reopen_windows_days", 3, "ingest.reopen_windows_days"),
    ("notifications", "kind", ["recap"], "notifications.kind"),
    ("recap", "citty", "Brebes", "recap.citty"),
    ("routing", "rule_file", "x.yaml", "routing.rule_file"),
    ("privacy", "log_key_evn", "ADUAN_LOG_KEY", "privacy.log_key_evn"),
    ("webhook", "port", 8080, "webhook.port"),
    ("health", "stale_after_minute", 30, "health.stale_after_minute"),
    ("logging", "levle", "INFO", "logging.levle"),
]


@pytest.mark.parametrize(("section", "key", "value", "path"), MISSPELT, ids=[m[0] for m in MISSPELT])
def test_a_misspelt_key_in_any_section_exits_2_naming_its_path(tmp_path, section, key, value, path):
    config = make_config(tmp_path)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data[section] = {**(data.get(section) or {}), key: value}
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_cli(config, "inbox")
    assert result.code == 2, result.out + result.err
    assert f"{path}: kunci tidak dikenal" in result.err  # Indonesian by default (issue 20)
    english = run_cli(config, "inbox", env={"ADUAN_LOCALE": "en"})
    assert english.code == 2 and f"{path}: unknown key" in english.err


def test_a_misspelt_key_names_the_nearest_known_one(tmp_path):
    config = make_config(tmp_path, privacy={"log_key_evn": "ADUAN_LOG_KEY"})
    assert "maksudnya 'log_key_env'?" in run_cli(config, "inbox").err
    assert "did you mean 'log_key_env'?" in run_cli(config, "inbox", env={"ADUAN_LOCALE": "en"}).err


def test_a_misspelt_channel_key_exits_2_in_config_check_and_fails_only_its_channel(parrot_config):
    config, _inbox = parrot_config
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["channels"].append({"name": "tg-typo", "type": "telegram", "bot_tokn_env": "X"})
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    hint = "channels (tg-typo).bot_tokn_env: kunci tidak dikenal; maksudnya 'bot_token_env'?"
    checked = run_cli(config, "config", "check", env=_plugin_env())
    assert checked.code == 2 and hint in checked.err
    english = run_cli(config, "config", "check", env={**_plugin_env(), "ADUAN_LOCALE": "en"})
    assert english.code == 2 and "bot_tokn_env: unknown key; did you mean 'bot_token_env'?" in english.err
    result = run_cli(config, "collect", env=_plugin_env())
    assert result.code == 1  # a failed channel, as any other channel failure
    assert "parrot-1: 1 pesan baru" in result.out  # the good channel still ran
    assert hint in " ".join((result.out + result.err).split())


def test_config_check_passes_a_good_config(parrot_config):
    config, _inbox = parrot_config
    checked = run_cli(config, "config", "check", env=_plugin_env())
    assert checked.code == 0 and "ok:" in checked.out
