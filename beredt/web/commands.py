"""The web application's commands: ``beredt demo``, ``serve``, ``worker``, ``notices`` and
``manage``.

Django is started only inside these commands, so the planning commands of ``beredt`` run
without it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

out = Console(soft_wrap=True)  # logins and figures stay on one line in logs
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

    from beredt.planning.class1check import Class1Check
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
            if message.startswith("checking"):
                progress.update(tasks[unit.pk], description=f"Class-1 check {unit.name}")
            progress.update(tasks[unit.pk], completed=share)

        plan_and_publish(result, seconds, advance)
    for version in result.plans:
        k = version.kpis
        out.print(
            f"  {version.unit.name} {version.date}: v{version.number} published — "
            f"class 1 {k['class1_coverage']:.1%}, essential {k['essential_coverage']:.1%}, "
            f"{k['visits_kept']}/{k['visits_total']} visits kept"
        )
        for row in version.class1_check.get("days", []):
            check = Class1Check.from_json(row)
            out.print(f"    class-1 check {check.day}: {check.summary}")
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

    from beredt.web.plans.jobs import fail_interrupted
    from beredt.web.wsgi import application

    if left := fail_interrupted():
        out.print(f"{left} planning job(s) left running by a stopped server marked failed")
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


class NoticeStateOption(StrEnum):
    """The states ``beredt notices --state`` filters on (as in the notices' model)."""

    open = "open"
    reached = "reached"
    closed = "closed"
    withdrawn = "withdrawn"


def notices(
    unit: Annotated[str | None, typer.Option(help="Only this unit (its code)")] = None,
    state: Annotated[
        NoticeStateOption | None, typer.Option(help="Only notices in this state")
    ] = None,
    date: Annotated[str | None, typer.Option(help="Only this day (YYYY-MM-DD)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON list, for scripts")] = False,
) -> None:
    """List change notices from the configured database: client id, unit, day, change
    kinds, state and call attempts (no names, phone numbers or identity numbers)."""
    day: dt.date | None = None
    if date is not None:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            err.print(f"--date {date!r} is not a date: give it as YYYY-MM-DD")
            raise typer.Exit(2) from None
    from beredt.web.bootstrap import setup

    setup()
    rows = notice_rows(unit=unit, state=state.value if state else None, day=day)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    _print_notices(rows)


def notice_rows(
    *, unit: str | None = None, state: str | None = None, day: dt.date | None = None
) -> list[dict[str, Any]]:
    """The notices as plain dicts (what ``beredt notices --json`` prints); an unknown
    unit code ends the command with exit status 2."""
    from beredt.web.care.models import Unit
    from beredt.web.notices.models import Notice

    found = Notice.objects.select_related("client", "unit").order_by(
        "date", "unit__code", "client__code"
    )
    if unit is not None:
        if not Unit.objects.filter(code=unit).exists():
            known = ", ".join(Unit.objects.order_by("code").values_list("code", flat=True))
            err.print(f"unknown unit {unit!r}; the units are: {known or '(none)'}")
            raise typer.Exit(2)
        found = found.filter(unit__code=unit)
    if state is not None:
        found = found.filter(state=state)
    if day is not None:
        found = found.filter(date=day)
    return [
        {
            "client": n.client.code,
            "unit": n.unit.code,
            "date": n.date.isoformat(),
            "kinds": list(n.kinds),
            "state": n.state,
            "attempts": n.attempts,
            "revision": n.revision,
            "refused": n.refused,
            "retry_at": n.retry_at.isoformat() if n.retry_at else None,
        }
        for n in found
    ]


def _print_notices(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    if not rows:
        out.print("No notices.")
        return
    table = Table("Client", "Unit", "Date", "Changes", "State", "Calls", "Rev.", "Call again")
    for row in rows:
        state = row["state"] + (" (refused)" if row["refused"] else "")
        table.add_row(
            row["client"],
            row["unit"],
            row["date"],
            ", ".join(row["kinds"]),
            state,
            str(row["attempts"]),
            str(row["revision"]),
            row["retry_at"] or "",
        )
    out.print(table)


def sms_send(
    loop: Annotated[
        float | None,
        typer.Option(help="Keep running: send what is due every SECONDS (Ctrl+C stops)"),
    ] = None,
) -> None:
    """Send the change notices' text messages that are due (BEREDT_SMS_BACKEND), once or
    every --loop seconds. Failed messages are retried with back-off; a message is never
    sent twice."""
    import time

    from beredt.web.bootstrap import setup

    setup()
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.db import close_old_connections

    from beredt.web.notices.sms import get_sender, send_pending

    try:
        sender = get_sender()
    except ImproperlyConfigured as error:
        err.print(str(error))
        raise typer.Exit(2) from None
    out.print(f"Text messages through the {settings.BEREDT_SMS_BACKEND} backend")
    try:
        while True:
            report = send_pending(sender=sender)
            if report.tried or not loop:
                out.print(f"Text messages: {report}")
            if not loop:
                return
            time.sleep(loop)
            close_old_connections()  # a long --loop outlives database restarts
    except KeyboardInterrupt:
        out.print("Stopped.")


def manage(ctx: typer.Context) -> None:
    """Django's manage.py commands, e.g. ``beredt manage migrate``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beredt.web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"{sys.argv[0]} manage", *ctx.args])
