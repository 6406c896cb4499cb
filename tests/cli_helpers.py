"""Run the real `aduan` entry point with an isolated config and database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def make_config(tmp_path: Path, db_url: str | None = None, **sections) -> Path:
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["database"]["url"] = db_url or f"sqlite:///{tmp_path / 'aduan.db'}"
    for key, value in sections.items():
        data[key] = value
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def run_cli(config: Path, *args: str, user: str = "admin1", now: str | None = "2026-11-23T03:00:00+00:00",
            env: dict[str, str] | None = None, input_text: str | None = None, timeout: float = 60) -> CliResult:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_")}
    environment.update({"ADUAN_CONFIG": str(config), "ADUAN_USER": user, "COLUMNS": "160", "NO_COLOR": "1",
                        "PYTHONIOENCODING": "utf-8"})
    if now:
        environment["ADUAN_NOW"] = now
    environment.update(env or {})
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=config.parent, env=environment,
                          capture_output=True, text=True, input=input_text, timeout=timeout)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
