"""Production settings pass Django's deployment checks; a missing secret is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BEREDT_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(DJANGO_SETTINGS_MODULE="beredt.web.settings", **env)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        check=False,
    )


def test_check_deploy_is_clean_in_production_mode(tmp_path: Path) -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        BEREDT_PRODUCTION="1",
        BEREDT_SECRET_KEY="k" * 20 + "-production-secret-" + "x9Y2z" * 6,
        BEREDT_ALLOWED_HOSTS="beredt.kommune.example",
        BEREDT_HOME=str(tmp_path),
        BEREDT_JOBS="rq",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_refuses_to_start(tmp_path: Path) -> None:
    result = manage("check", BEREDT_PRODUCTION="1", BEREDT_HOME=str(tmp_path))
    assert result.returncode != 0
    assert "BEREDT_SECRET_KEY must be set" in result.stderr


def test_an_unknown_job_backend_is_named(tmp_path: Path) -> None:
    result = manage("check", BEREDT_JOBS="celery", BEREDT_HOME=str(tmp_path))
    assert result.returncode != 0
    assert "BEREDT_JOBS='celery'" in result.stderr
