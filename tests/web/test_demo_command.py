"""`beredt demo` on an empty database: migrates, seeds two units with a user per role,
plans and publishes today for each unit, prints the logins; a second run keeps the data."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_demo(home: Path) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BEREDT_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    env.update(
        BEREDT_HOME=str(home),
        DJANGO_SETTINGS_MODULE="beredt.web.settings",
        COLUMNS="200",
        BEREDT_CHECK_SECONDS="5",
    )
    result = subprocess.run(
        [sys.executable, "-m", "beredt.cli", "demo", "--seconds", "0.5"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_demo_seeds_plans_and_publishes(tmp_path: Path) -> None:
    first = run_demo(tmp_path)
    assert "Demo municipality created" in first
    assert first.count("published") == 2
    logins = dict(re.findall(r"^  (\S+)\s+(\S+-\S+-\S+)\s", first, flags=re.MULTILINE))
    assert {"kriseteam", "pleier", "koordinator", "admin"} <= logins.keys()
    assert any(name.startswith("planlegger-") for name in logins)
    db = sqlite3.connect(tmp_path / "beredt.sqlite3")
    published = db.execute("select count(*) from plans_planversion where status='published'")
    assert published.fetchone()[0] == 2
    assert db.execute("select count(*) from care_unit").fetchone()[0] == 2
    # The class-1 checks ran in the command, not in a thread it ended under.
    jobs = dict(db.execute("select status, count(*) from plans_planjob group by status"))
    assert set(jobs) == {"succeeded"}, jobs
    checks = db.execute("select count(*) from plans_planjob where kind='check'").fetchone()[0]
    checked = db.execute(
        "select count(*) from plans_planversion where class1_check != '{}'"
    ).fetchone()[0]
    assert checks == checked == first.count("class-1 check ")
    clients = db.execute("select count(*) from care_client").fetchone()[0]
    db.close()

    second = run_demo(tmp_path)
    assert "already there" in second
    again = dict(re.findall(r"^  (\S+)\s+(\S+-\S+-\S+)\s", second, flags=re.MULTILINE))
    assert again["admin"] != logins["admin"]  # new passwords on every run
    db = sqlite3.connect(tmp_path / "beredt.sqlite3")
    assert db.execute("select count(*) from care_client").fetchone()[0] == clients
    db.close()
