"""Start Django from the command line (``beredt demo``, ``serve``, ``worker``, ``manage``)."""

from __future__ import annotations

import os


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beredt.web.settings")
    import django

    django.setup()


def migrate(verbosity: int = 0) -> None:
    """Bring the configured database up to date (a no-op when it already is)."""
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        from pathlib import Path

        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=verbosity)
