"""`aduan demo` in a fresh folder, then its printed next steps pasted as printed into a shell
that has only the virtual environment's `bin` on PATH and an OS user who is not in `staff:`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

VENV_BIN = Path(sys.executable).parent


@pytest.mark.skipif(not (VENV_BIN / "aduan").exists(), reason="aduan is not installed in this environment")
def test_demo_next_steps_work_when_pasted_on_a_fresh_machine(tmp_path):
    env = {"PATH": str(VENV_BIN), "HOME": str(tmp_path), "USER": "tamu", "LOGNAME": "tamu",
           "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", "COLUMNS": "200"}
    demo = subprocess.run([str(VENV_BIN / "aduan"), "demo"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert demo.returncode == 0, demo.stderr + demo.stdout
    assert not (tmp_path / "config.yaml").exists()  # the demo needs no config and writes none of the user's
    lines = demo.stdout.splitlines()
    start = lines.index("Coba (salin dan tempel):")
    steps = [line.strip() for line in lines[start + 1:] if line.startswith("  ")]
    assert len(steps) == 3 and all("--as admin1" in s and "aduan-demo.yaml" in s for s in steps)
    assert any(" reply " in s for s in steps)
    elsewhere = tmp_path / "another-folder"  # pasted later, from anywhere
    elsewhere.mkdir()
    for step in steps:
        ran = subprocess.run(step, shell=True, cwd=elsewhere, env=env, capture_output=True, text=True,
                             timeout=120)
        assert ran.returncode == 0, f"{step}\n{ran.stdout}\n{ran.stderr}"
    with sqlite3.connect(tmp_path / "aduan-demo.db") as conn:
        sent = conn.execute("SELECT channel, delivery_state FROM message "
                            "WHERE direction = 'out' AND created_by = 'admin1'").fetchall()
    assert sent == [("demo-telegram", "sent")]  # delivered to the demo's sandbox channel


def test_demo_replies_on_x_go_to_the_sandbox_too(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ADUAN_")}, "NO_COLOR": "1",
           "PYTHONIOENCODING": "utf-8"}
    cli = [sys.executable, str(Path(__file__).resolve().parents[1] / "cli.py")]
    assert subprocess.run([*cli, "demo"], cwd=tmp_path, env=env, capture_output=True, timeout=120).returncode == 0
    with sqlite3.connect(tmp_path / "aduan-demo.db") as conn:
        # the sample data answers some X threads in the X app itself (issue 15): any open DM thread will do
        (ref,) = conn.execute("SELECT ref FROM ticket WHERE channel = 'demo-x' AND status NOT IN ('closed', "
                              "'dismissed') AND is_public = 0 ORDER BY status = 'new' DESC, id LIMIT 1").fetchone()
    config = str(tmp_path / "aduan-demo.yaml")
    reply = subprocess.run([*cli, "reply", ref, "-m", "Baik, kami cek.", "--config", config, "--as", "admin1",
                            "--json"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert reply.returncode == 0, reply.stderr
    assert '"delivery_state": "sent"' in reply.stdout


def test_demo_replies_on_email_stay_in_the_sandbox(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ADUAN_")}, "NO_COLOR": "1",
           "PYTHONIOENCODING": "utf-8"}
    cli = [sys.executable, str(Path(__file__).resolve().parents[1] / "cli.py")]
    demo = subprocess.run([*cli, "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert demo.returncode == 0 and "demo-email: " in demo.stdout, demo.stderr
    with sqlite3.connect(tmp_path / "aduan-demo.db") as conn:
        (ref,) = conn.execute("SELECT ref FROM ticket WHERE channel = 'demo-email' ORDER BY id LIMIT 1").fetchone()
    reply = subprocess.run([*cli, "--config", str(tmp_path / "aduan-demo.yaml"), "--as", "admin1", "reply", ref,
                            "-m", "Terima kasih, sudah kami terima.", "--json"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)
    assert reply.returncode == 0, reply.stderr
    assert '"delivery_state": "sent"' in reply.stdout
