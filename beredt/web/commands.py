"""The web application's commands: ``beredt demo``, ``serve``, ``worker`` and ``manage``.

Django is started only inside these commands, so the planning commands of ``beredt`` run
without it.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

out = Console()
err = Console(stderr=True)


def demo(
    seconds: Annotated[
        float, typer.Option(help="Search seconds per unit for today's plans")
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="Seed of the generated municipality")] = 1,
) -> None:
    """Migrate the configured database if needed, seed the demo municipality (two units,
    one user per role), plan today for each unit and publish the plans."""
    from beredt.web.bootstrap import migrate, setup

    setup()
    from django.conf import settings

    from beredt.web.demo import plan_and_publish
    from beredt.web.demo import seed as seed_demo

    database = settings.DATABASES["default"]
    out.print(f"Database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
    migrate()
    result = seed_demo(seed=seed)
    what = "created" if result.created else "already there"
    out.print(f"Demo municipality {what}: {', '.join(u.name for u in result.units)}")
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        tasks = {u.pk: progress.add_task(f"Planning {u.name}", total=1.0) for u in result.units}

        def advance(unit, share: float, message: str) -> None:  # type: ignore[no-untyped-def]
            progress.update(tasks[unit.pk], completed=share)

        plan_and_publish(result, seconds, advance)
    for version in result.plans:
        k = version.kpis
        out.print(
            f"  {version.unit.name} {version.date}: v{version.number} published — "
            f"class 1 {k['class1_coverage']:.1%}, essential {k['essential_coverage']:.1%}, "
            f"{k['visits_kept']}/{k['visits_total']} visits kept"
        )
    out.print("Demo logins (new passwords on every run of `beredt demo`):")
    for login in result.logins:
        out.print(f"  {login.username:<20} {login.password:<22} {login.role} — {login.scope}")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    threads: Annotated[int, typer.Option(help="Request threads")] = 8,
) -> None:
    """Run the web application (waitress, a production WSGI server)."""
    from beredt.web.bootstrap import setup

    setup()
    from waitress import serve as waitress_serve

    from beredt.web.wsgi import application

    shown = "localhost" if host in {"127.0.0.1", "0.0.0.0"} else host
    out.print(f"beredt is running at http://{shown}:{port}/  (Ctrl+C stops it)")
    waitress_serve(application, host=host, port=port, threads=threads, ident="beredt")


def worker(
    burst: Annotated[bool, typer.Option(help="Stop when the queue is empty")] = False,
) -> None:
    """Run a planning worker on the Redis queue (production: BEREDT_JOBS=rq)."""
    from beredt.web.bootstrap import setup

    setup()
    from django.conf import settings
    from rq import Worker

    from beredt.web.plans.jobs import queue

    q = queue()
    out.print(f"Worker on queue {q.name!r} at {settings.REDIS_URL}")
    Worker([q], connection=q.connection).work(burst=burst)


def manage(ctx: typer.Context) -> None:
    """Django's manage.py commands, e.g. ``beredt manage migrate``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beredt.web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"{sys.argv[0]} manage", *ctx.args])
