"""The ``beredt`` command line. Thin: parse arguments, call the library, print.

Exit status: 0 success, 1 the plan has violations (``check``), 2 bad input.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from beredt.benchmarks.hhcrsp.cli import app as hhcrsp_app
from beredt.checker import CheckReport, check_plan
from beredt.domain.errors import BeredtError, InputError
from beredt.domain.plan import Class1Routes, Plan
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario
from beredt.io import load_class1_routes, load_events, load_plan, load_scenario, save_model
from beredt.io.schema import write_schemas
from beredt.planning import DEFAULT_PLANNER, PLANNERS, make_plan
from beredt.planning.capacity import class1_bound
from beredt.planning.class1check import check_class1, found_routes, opening, settled_visits
from beredt.planning.explain import explain_client, summarise_plan
from beredt.planning.language import LANGUAGES, use_language
from beredt.planning.optimiser import DEFAULT_TIME_LIMIT
from beredt.planning.replan import REPLAN_TIME_LIMIT, ReplanSettings, replan
from beredt.planning.routebound import ROUTE_BOUND_SECONDS, RouteBound, day_route_bound
from beredt.scenarios.generate import GeneratorConfig, generate_scenario
from beredt.travel import HaversineTravel, MatrixCache
from beredt.web import commands as web_commands

app = typer.Typer(
    help="beredt - crisis operations for municipal home care.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
scenario_app = typer.Typer(
    help="Create, validate and describe scenario files.", no_args_is_help=True
)


class Language(StrEnum):
    """The languages the planner writes its reasons and explanations in."""

    en = "en"
    nb = "nb"
    sv = "sv"


assert tuple(Language) == LANGUAGES

ReplanTimeLimit = Annotated[
    float | None,
    typer.Option(help=f"Seconds of search per re-planned day (default {REPLAN_TIME_LIMIT:g})"),
]
ReplanIterations = Annotated[
    int | None,
    typer.Option(help="Moves per re-planned day instead of a time limit (reproducible)"),
]
BenchOutput = Annotated[Path, typer.Option(help="Folder for the markdown and CSV tables")]
BENCH_ROUTE_BOUND_SECONDS = 400.0
"""The planner bench's route bound per day: long enough to branch on a 70-visit evening
peak (206 s for the 200-client, 30 %-absent, seed-2 day's, docs/benchmarks.md)."""
BENCH_CLASS1_SEARCH_SECONDS = 120.0
"""The planner bench's search of the class-1 care alone per day: the 10 s plans' misses
on days other runs keep in full are found keepable in 3-10 s (docs/benchmarks.md)."""
DEMO_DISTRICT = GeneratorConfig(clients=150, caregivers=30, absence=0.3, isolated=5)
"""The demo district of ``demo-files`` and ``bench replan``."""
LanguageOption = Annotated[
    Language,
    typer.Option(
        "--language",
        help="Language of the reasons, shortfall message and explanations: "
        "en (English), nb (Norwegian bokmål), sv (Swedish)",
    ),
]

app.add_typer(scenario_app, name="scenario")
bench_app = typer.Typer(help="Benchmarks: measure speed and quality (tables, not tests).")
app.add_typer(bench_app, name="bench")
app.add_typer(hhcrsp_app, name="hhcrsp")
app.command("demo")(web_commands.demo)
app.command("serve")(web_commands.serve)
app.command("worker")(web_commands.worker)
app.command("notices")(web_commands.notices)
app.command("sms-send")(web_commands.sms_send)
app.command("manage", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
    web_commands.manage
)

out = Console()
err = Console(stderr=True)


class InputProblem(typer.Exit):
    """Exit with status 2 after the message has been printed."""


@contextmanager
def user_errors() -> Iterator[None]:
    """Show input errors as messages, never as stack traces."""
    try:
        yield
    except (BeredtError, ValueError) as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
        raise InputProblem(code=2) from None


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


# ---------------------------------------------------------------------- scenario


@scenario_app.command("generate")
def scenario_generate(
    output: Annotated[Path, typer.Option("-o", "--output", help="Scenario file to write")],
    clients: Annotated[int, typer.Option(help="Number of clients")] = 150,
    caregivers: Annotated[int, typer.Option(help="Number of caregivers")] = 30,
    absence: Annotated[float, typer.Option(help="Share of caregivers absent each day")] = 0.3,
    isolated: Annotated[int, typer.Option(help="Number of isolated clients")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same file")] = 1,
    days: Annotated[int, typer.Option(help="Days to plan")] = 1,
    units: Annotated[int, typer.Option(help="Number of units (districts)")] = 1,
    town: Annotated[str, typer.Option(help="Town centre to build around")] = "asker",
    start: Annotated[
        str | None, typer.Option(help="First day to plan, YYYY-MM-DD (default 2026-11-23)")
    ] = None,
) -> None:
    """Generate a synthetic municipality with clients, tasks, staff and a crisis."""
    with user_errors():
        config = GeneratorConfig(
            clients=clients,
            caregivers=caregivers,
            absence=absence,
            isolated=isolated,
            seed=seed,
            days=days,
            units=units,
            town=town,
            **({"start_date": dt.date.fromisoformat(start)} if start else {}),
        )
        scenario = generate_scenario(config)
        save_model(scenario, output)
    visits = sum(len(scenario.visits_on(day)) for day in scenario.dates)
    out.print(
        f"Wrote {output}: {len(scenario.clients)} clients, {len(scenario.caregivers)} caregivers, "
        f"{visits} visits over {scenario.days} day(s) from {scenario.start_date}."
    )


@scenario_app.command("validate")
def scenario_validate(path: Path) -> None:
    """Check a scenario file and report every problem with its place in the file."""
    with user_errors():
        scenario = load_scenario(path)
    out.print(
        f"{path}: valid ({len(scenario.clients)} clients, {len(scenario.caregivers)} caregivers)"
    )


@scenario_app.command("schema")
def scenario_schema(
    directory: Annotated[Path, typer.Argument(help="Folder to write the JSON Schemas to")] = Path(
        "docs"
    ),
) -> None:
    """Write the JSON Schemas of the scenario and plan files."""
    for path in write_schemas(directory):
        out.print(f"Wrote {path}")


# -------------------------------------------------------------------- plan/check


def _run_plan(
    scenario: Scenario,
    planner: str,
    seed: int,
    time_limit: float | None = None,
    iterations: int | None = None,
    language: str = "en",
    class1_routes: Class1Routes | None = None,
) -> tuple[Plan, CheckReport]:
    travel = HaversineTravel()
    with _progress() as progress:
        task = progress.add_task(f"Planning ({planner})", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        plan = make_plan(
            scenario,
            travel,
            planner=planner,
            seed=seed,
            progress=advance,
            time_limit=time_limit,
            max_iterations=iterations,
            language=language,
            class1_routes=None if class1_routes is None else class1_routes.days,
        )
    report = check_plan(scenario, plan, travel)
    return plan.model_copy(update={"kpis": report.kpis}), report


@app.command("plan")
def plan_command(
    scenario_path: Annotated[Path, typer.Argument(metavar="SCENARIO")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Plan file to write")],
    planner: Annotated[
        str, typer.Option(help=f"Planner: {', '.join(sorted(PLANNERS))}")
    ] = DEFAULT_PLANNER,
    days: Annotated[int | None, typer.Option(help="Days to plan (default: the scenario's)")] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            help=f"Seconds the optimiser plans each day in, warm start, model and check included "
            f"(default {DEFAULT_TIME_LIMIT:g}); "
            "a longer horizon's budget is shared out by each day's visits. Greedy ignores it"
        ),
    ] = None,
    iterations: Annotated[
        int | None,
        typer.Option(
            help="Moves the optimiser makes per day instead of a time limit: the same seed "
            "and iterations give the same plan on any machine"
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed for the search")] = 0,
    language: LanguageOption = Language.en,
    class1_routes_path: Annotated[
        Path | None,
        typer.Option(
            "--class1-routes",
            metavar="ROUTES",
            help="Start the days in this file (written by `beredt bound --plan PLAN "
            "--routes-out ROUTES`) from the routes found there that keep all their class-1 "
            "care; optimiser only",
        ),
    ] = None,
) -> None:
    """Triage and route the scenario's day(s); write the plan and print a summary."""
    with user_errors():
        scenario = load_scenario(scenario_path)
        if days is not None:
            scenario = Scenario.model_validate({**scenario.model_dump(by_alias=True), "days": days})
        routes = None
        if class1_routes_path is not None:
            routes = load_class1_routes(class1_routes_path)
            _same_scenario(routes, scenario, class1_routes_path)
        plan, report = _run_plan(
            scenario, planner, seed, time_limit, iterations, language.value, routes
        )
        save_model(plan, output)
    print_summary(plan, report)
    out.print(f"Plan written to {output}")


def _same_scenario(routes: Class1Routes, scenario: Scenario, path: Path) -> None:
    """Routes are ids of one scenario's caregivers and visits: refuse them for another."""
    if routes.scenario_digest != scenario.digest():
        raise BeredtError(
            f"{path}: the routes were found for scenario {routes.scenario!r} as it was then "
            f"(digest {routes.scenario_digest[:12]}), not for this scenario "
            f"{scenario.name!r} (digest {scenario.digest()[:12]}); run the class-1 check "
            "again on a plan of this scenario"
        )


@app.command("check")
def check_command(
    scenario_path: Annotated[Path, typer.Argument(metavar="SCENARIO")],
    plan_path: Annotated[Path, typer.Argument(metavar="PLAN")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Check a plan against every hard rule, trusting nothing in it; compute the KPIs."""
    with user_errors():
        scenario = load_scenario(scenario_path)
        plan = load_plan(plan_path)
        report = check_plan(scenario, plan, HaversineTravel())
    if as_json:
        sys.stdout.write(json.dumps(report.to_json_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        print_kpis(report)
        for violation in report.violations[:50]:
            out.print(f"[red]{violation.rule}[/]: {violation.message}", highlight=False)
        if len(report.violations) > 50:
            out.print(f"... and {len(report.violations) - 50} more")
        verdict = "no violations" if report.ok else f"{len(report.violations)} violations"
        out.print(f"[bold]{verdict}[/]")
    raise typer.Exit(code=0 if report.ok else 1)


@app.command("bound")
def bound_command(
    scenario_path: Annotated[Path, typer.Argument(metavar="SCENARIO")],
    seconds: Annotated[
        float,
        typer.Option(
            help="Seconds per day for the route bound's column generation (with --plan: "
            "for the whole check of a day, a third of them for a search of routes keeping "
            "all class-1 care)"
        ),
    ] = ROUTE_BOUND_SECONDS,
    plan_path: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            metavar="PLAN",
            help="Check only the days this plan leaves class-1 care out: search for routes "
            "keeping it all, then bound, looking first where the plan missed",
        ),
    ] = None,
    routes_out: Annotated[
        Path | None,
        typer.Option(
            "--routes-out",
            metavar="ROUTES",
            help="With --plan: write the routes found that keep all class-1 care of a day "
            "to this file, for `beredt plan --class1-routes ROUTES`",
        ),
    ] = None,
) -> None:
    """Could the staff at work keep every class-1 visit at all? The flow bound and the
    route bound per day; a shortfall either proves is one no plan can avoid. With
    --plan: is the class-1 care that plan leaves out the day's shortfall or the plan's?"""
    with user_errors():
        scenario = load_scenario(scenario_path)
        if not seconds > 0:
            raise BeredtError(f"--seconds must be a positive number, got {seconds}")
        plan = load_plan(plan_path) if plan_path is not None else None
        if routes_out is not None and plan is None:
            raise BeredtError("--routes-out needs --plan: routes are found for a plan's misses")
    cache = MatrixCache(HaversineTravel())
    if plan is not None:
        _check_plan_class1(scenario, plan, cache, seconds, routes_out)
        return
    table = Table(title="Class-1 care: can it all be kept?")
    for header in (
        "day",
        "class-1 visits",
        "care min",
        "flow bound",
        "route bound: at most",
        "route bound",
        "seconds",
    ):
        table.add_column(header, justify="left" if header in {"day", "flow bound"} else "right")
    with _progress() as progress:
        task = progress.add_task("Bounds", total=len(scenario.dates))
        for day in scenario.dates:
            visits = settled_visits(scenario, day)
            flow = class1_bound(scenario, cache, day, visits)
            route = day_route_bound(scenario, cache, day, visits, seconds=seconds)
            progress.advance(task)
            table.add_row(
                day.isoformat(),
                str(flow.visits),
                str(route.care_minutes),
                "allows all"
                if flow.allows_full_coverage
                else f"{flow.missing_minutes} min short (care and travel)",
                str(route.keepable_minutes),
                _route_verdict(route),
                f"{route.seconds:.1f}",
            )
    Console(width=max(out.width, 120)).print(table)
    out.print(
        "A shortfall either bound proves is one no plan can avoid; where both allow all, "
        "a plan may still fall short (docs/optimiser.md)."
    )


def _check_plan_class1(
    scenario: Scenario, plan: Plan, cache: MatrixCache, seconds: float, routes_out: Path | None
) -> None:
    with user_errors(), _progress() as progress:
        task = progress.add_task("Class-1 check", total=1.0)

        def advance(share: float) -> None:
            progress.update(task, completed=share)

        checks = check_class1(scenario, plan, cache, seconds=seconds, progress=advance)
    if not checks:
        out.print("The plan keeps every class-1 visit in its window: nothing to check.")
        return
    table = Table(title="Class-1 care the plan leaves out: the day's shortfall or the plan's?")
    for header in ("day", "class-1 visits left out", "verdict", "seconds"):
        table.add_column(header, justify="left" if header in {"day", "verdict"} else "right")
    for c in checks:
        table.add_row(c.day.isoformat(), str(c.missed_visits), c.summary, f"{c.seconds:.1f}")
    Console(width=max(out.width, 120)).print(table)
    found = found_routes(checks)
    if routes_out is None:
        if found:
            out.print(
                f"Routes keeping all class-1 care were found for {len(found)} day(s): add "
                "--routes-out ROUTES to keep them, and plan from them with "
                "`beredt plan SCENARIO --class1-routes ROUTES`."
            )
        return
    if not found:
        out.print(f"No routes keeping all class-1 care were found: {routes_out} not written.")
        return
    with user_errors():
        save_model(
            Class1Routes(
                scenario=scenario.name,
                scenario_digest=scenario.digest(),
                plan_digest=plan.digest(),
                days=found,
            ),
            routes_out,
        )
    out.print(
        f"Routes keeping all class-1 care of {len(found)} day(s) written to {routes_out}; "
        f"plan from them with `beredt plan SCENARIO --class1-routes {routes_out}`."
    )


def _route_verdict(route: RouteBound) -> str:
    if route.proves_shortfall:
        return f"{route.missing_minutes} min short{opening(route.peak)}"
    return "allows all" if route.converged else "nothing proven in time"


@app.command("replan")
def replan_command(
    scenario_path: Annotated[Path, typer.Argument(metavar="SCENARIO")],
    plan_path: Annotated[Path, typer.Argument(metavar="PLAN")],
    event: Annotated[
        Path,
        typer.Option("--event", help="Event file (JSON): one event or a list, applied in order"),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="New plan file to write")],
    scenario_output: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the scenario with the events applied "
            "(default: next to the plan, NEW.scenario.json)"
        ),
    ] = None,
    time_limit: ReplanTimeLimit = None,
    iterations: ReplanIterations = None,
    seed: Annotated[int, typer.Option(help="Random seed for the search")] = 0,
    language: LanguageOption = Language.en,
) -> None:
    """Re-plan a published plan after events (caregiver ill, client isolated, emergency
    visit, pinned visit), changing as little as possible; see docs/replanning.md."""
    started = time.perf_counter()
    travel = HaversineTravel()
    with user_errors():
        scenario = load_scenario(scenario_path)
        plan = load_plan(plan_path)
        events = load_events(event)
        settings = ReplanSettings(time_limit, iterations, seed)
        settings.optimiser()  # refuses a bad time limit or iteration count now
        with _progress() as progress:
            task = progress.add_task("Re-planning", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            try:
                result = replan(
                    scenario,
                    plan,
                    events,
                    travel,
                    settings,
                    progress=advance,
                    language=language.value,
                )
            except InputError as exc:  # name the event file, not "events"
                raise InputError(str(event), exc.problems) from None
        report = check_plan(result.scenario, result.plan, travel)
        new_plan = result.plan.model_copy(update={"kpis": report.kpis})
        scenario_path_out = scenario_output or _scenario_next_to(output)
        save_model(result.scenario, scenario_path_out)
        save_model(new_plan, output)
    seconds = time.perf_counter() - started
    print_summary(new_plan, report)
    assert new_plan.replan is not None
    with use_language(language.value):
        replan_text = summarise_plan(new_plan, result.scenario).replan_text()
    out.print(replan_text, highlight=False)
    out.print(f"Re-planned in {seconds:.1f} s")
    out.print(f"Plan written to {output}; its scenario to {scenario_path_out}")
    out.print(f"Check: beredt check {scenario_path_out} {output}")


def _scenario_next_to(plan_path: Path) -> Path:
    """``new.json`` → ``new.scenario.json``."""
    stem = plan_path.name.removesuffix(".json")
    return plan_path.with_name(f"{stem}.scenario.json")


@app.command("explain")
def explain_command(
    plan_path: Annotated[Path, typer.Argument(metavar="PLAN")],
    client: Annotated[str | None, typer.Option(help="Client id")] = None,
    scenario_path: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="The plan's scenario: adds task names, windows, caregiver names, "
            "'new to client' marks and the capacity that would have kept a visit",
        ),
    ] = None,
    summary: Annotated[
        bool, typer.Option("--summary", help="Counts per decision and reason for the whole plan")
    ] = False,
    language: LanguageOption = Language.en,
) -> None:
    """Explain every decision the plan made for one client, or summarise the plan."""
    with user_errors(), use_language(language.value):
        if client is None and not summary:
            raise BeredtError("give --client ID, or --summary for the whole plan")
        plan = load_plan(plan_path)
        scenario = load_scenario(scenario_path) if scenario_path else None
        explained = explain_client(plan, client, scenario).text() if client else None
        summarised = summarise_plan(plan, scenario).text() if summary else None
    if summarised is not None:
        out.print(summarised, highlight=False, markup=False)
    if explained is not None:
        out.print(explained, highlight=False, markup=False, soft_wrap=True)


@app.command("demo-files")
def demo_command(
    directory: Annotated[Path, typer.Option(help="Where to write the demo files")] = Path(
        "var/demo"
    ),
) -> None:
    """Generate the demo district (150 clients, 30 caregivers, 30% absent, 5 isolated),
    plan the crisis day, check the plan and print the summary."""
    with user_errors():
        scenario = generate_scenario(DEMO_DISTRICT)
        scenario_path = directory / "scenario.json"
        save_model(scenario, scenario_path)
        out.print(f"Demo district written to {scenario_path}")
        plan, report = _run_plan(scenario, DEFAULT_PLANNER, 0)
        plan_path = directory / "plan.json"
        save_model(plan, plan_path)
    print_summary(plan, report)
    out.print(f"Plan written to {plan_path}")
    out.print(f"Try: beredt check {scenario_path} {plan_path} --json")
    first = next((v.client for v in plan.visits if v.decision is not Decision.KEPT), None)
    if first:
        out.print(f"     beredt explain {plan_path} --client {first}")


@bench_app.command("planner")
def bench_planner(
    sizes: Annotated[
        str, typer.Option(help="CLIENTSxCAREGIVERS, comma separated")
    ] = "100x20,200x40",
    absences: Annotated[str, typer.Option(help="Absence rates, comma separated")] = "0,0.3",
    seeds: Annotated[str, typer.Option(help="Seeds, comma separated")] = "1",
    planners: Annotated[str, typer.Option(help="Planners, comma separated")] = ",".join(
        sorted(PLANNERS)
    ),
    output: BenchOutput = Path("var/bench"),
    time_limit: Annotated[
        float | None, typer.Option(help="Optimiser seconds per day (default: its own)")
    ] = None,
    route_bound_seconds: Annotated[
        float,
        typer.Option(
            help="Seconds per day for the class-1 route bound, computed where the flow "
            "bound allows full class-1 coverage and a plan other than greedy's falls short "
            "(0: never)"
        ),
    ] = BENCH_ROUTE_BOUND_SECONDS,
    class1_search_seconds: Annotated[
        float,
        typer.Option(
            help="Seconds per day for a search of the class-1 care alone, where neither "
            "bound proves a shortfall and a plan other than greedy's falls short: routes "
            "keeping it all show the miss was the planner's (0: never)"
        ),
    ] = BENCH_CLASS1_SEARCH_SECONDS,
) -> None:
    """Plan generated districts with each planner and tabulate the checker's key figures."""
    from beredt.benchmarks import planner as bench

    with user_errors():
        size_list = [tuple(int(n) for n in s.split("x")) for s in sizes.split(",")]
        if any(len(size) != 2 for size in size_list):
            raise BeredtError(f"--sizes wants CLIENTSxCAREGIVERS, got {sizes!r}")
        absence_list = [float(a) for a in absences.split(",")]
        seed_list = [int(s) for s in seeds.split(",")]
        planner_list = planners.split(",")
        for name in planner_list:
            if name not in PLANNERS:
                raise BeredtError(f"unknown planner {name!r}; choose from {sorted(PLANNERS)}")
    total = len(size_list) * len(absence_list) * len(seed_list) * len(planner_list)
    with _progress() as progress:
        task = progress.add_task("Benchmark", total=total)
        rows = bench.run(
            [(c, g) for c, g in size_list],
            absence_list,
            seed_list,
            planner_list,
            on_row=lambda _row: progress.advance(task),
            time_limit=time_limit,
            route_seconds=route_bound_seconds,
            search_seconds=class1_search_seconds,
        )
    table = _bench_table(
        "Planner benchmark (key figures from the plan checker)",
        bench.HEADERS,
        [asdict(r) for r in rows],
        bench.format_cell,
    )
    Console(width=max(out.width, 200)).print(table)  # wide tables stay readable in logs
    md, csv_path = bench.write_outputs(rows, output)
    comparisons = bench.compare(rows)
    if comparisons:
        summary = bench.comparison_markdown(comparisons)
        (output / "planner-bench-summary.md").write_text(summary, encoding="utf-8")
        out.print(summary, highlight=False)
    out.print(f"Wrote {md}, {csv_path} and the summary in {output}")


@bench_app.command("convergence")
def bench_convergence(
    clients: Annotated[int, typer.Option(help="Clients in the generated district")] = 130,
    caregivers: Annotated[int, typer.Option(help="Caregivers on the register")] = 43,
    absence: Annotated[float, typer.Option(help="Share absent")] = 0.3,
    seed: Annotated[int, typer.Option(help="Seed of the district and the first search")] = 1,
    seconds: Annotated[float, typer.Option(help="The short time limit")] = 30.0,
    factor: Annotated[float, typer.Option(help="The long limit is this many times longer")] = 10,
    runs: Annotated[
        int, typer.Option(min=1, help="Short runs, with search seeds SEED, SEED+1, …")
    ] = 1,
    long_runs: Annotated[
        int,
        typer.Option(
            min=1, help="Long runs, with search seeds SEED, SEED+1, …; the reference is their mean"
        ),
    ] = 1,
) -> None:
    """Plan one day at a short and a long time limit; how close is the short one?"""
    from beredt.benchmarks import planner as bench

    with err.status("Planning…") as status:
        result = bench.convergence(
            clients,
            caregivers,
            absence,
            seed,
            seconds,
            factor,
            runs,
            lambda what: status.update(f"Planning the day: {what}…"),
            long_runs,
        )
    rows = [
        {
            "seed": str(run.search_seed),
            "seconds": f"{run.seconds:g}",
            "wall": f"{run.wall:.1f}",
            "objective": f"{run.cost:,.0f}",
            "care": str(run.care_minutes),
            "care_diff": f"{result.care_difference(run):+.2%}" if run in result.short else "",
            "value": f"{run.kept_value:,.0f}",
            "value_diff": f"{result.value_difference(run):+.2%}" if run in result.short else "",
        }
        for run in (*result.short, *result.long)
    ]
    headers = [
        ("seed", "search seed"),
        ("seconds", "seconds"),
        ("wall", "planned in (s)"),
        ("objective", "objective"),
        ("care", "care kept (min)"),
        ("care_diff", "difference"),
        ("value", "kept care by priority"),
        ("value_diff", "difference"),
    ]
    title = (
        f"{result.visits} visits, {result.caregivers} caregivers at work: "
        f"{seconds:g} s against {seconds * factor:g} s"
    )
    table = _bench_table(title, headers, rows, lambda _key, value: str(value))
    out.print(table)
    reference = "runs' mean" if len(result.long) > 1 else "run"
    out.print(
        f"{result.within()} of {len(result.short)} short runs keep care minutes within 2 % "
        f"of the long {reference} "
        f"({result.long_care:,.0f} min; difference: short against long; negative keeps less)",
        highlight=False,
    )


@bench_app.command("replan")
def bench_replan(
    scenario_path: Annotated[
        Path | None,
        typer.Option("--scenario", help="Scenario file (default: the demo district of demo-files)"),
    ] = None,
    plan_path: Annotated[
        Path | None,
        typer.Option("--plan", help="Its published plan (default: planned here, as demo-files)"),
    ] = None,
    at: Annotated[str, typer.Option(help="When each caregiver falls ill, HH:MM")] = "10:30",
    time_limit: ReplanTimeLimit = None,
    iterations: ReplanIterations = None,
    output: BenchOutput = Path("var/bench"),
) -> None:
    """Let every caregiver with visits after --at fall ill in turn; time each re-plan,
    its stability and the checker's verdict."""
    from beredt.benchmarks import replan as bench
    from beredt.domain.clock import parse_clock

    with user_errors():
        if (scenario_path is None) != (plan_path is None):
            raise BeredtError("give both --scenario and --plan, or neither")
        try:
            minute = parse_clock(at)
        except ValueError as exc:
            raise BeredtError(f"--at: {exc}") from None
        settings = ReplanSettings(time_limit=time_limit, max_iterations=iterations)
        settings.optimiser()  # refuses a bad time limit or iteration count now
        if scenario_path is not None and plan_path is not None:
            scenario, plan = load_scenario(scenario_path), load_plan(plan_path)
        else:
            scenario = generate_scenario(DEMO_DISTRICT)
            with err.status("Planning the demo district…"):
                plan, _ = _run_plan(scenario, DEFAULT_PLANNER, 0)
        caregivers = bench.ill_caregivers(plan, minute)
        with _progress() as progress:
            task = progress.add_task("Re-plans", total=len(caregivers))
            rows = bench.run(
                scenario,
                plan,
                HaversineTravel(),
                minute,
                settings,
                on_row=lambda _row: progress.advance(task),
            )
    table = _bench_table(
        f"Re-planning: one caregiver ill at {at}",
        bench.HEADERS,
        [asdict(r) for r in rows],
        bench.format_cell,
    )
    out.print(table)
    out.print(bench.summary_text(bench.summarise(rows)), highlight=False)
    md, csv_path = bench.write_outputs(rows, output)
    out.print(f"Wrote {md} and {csv_path}")


# ---------------------------------------------------------------------- printing


def _bench_table(
    title: str,
    headers: Sequence[tuple[str, str]],
    rows: Sequence[Mapping[str, object]],
    cell: Callable[[str, object], str],
) -> Table:
    """A benchmark's rows as a rich table, every column right-aligned."""
    table = Table(title=title)
    for _, label in headers:
        table.add_column(label, justify="right")
    for row in rows:
        table.add_row(*(cell(k, row[k]) for k, _ in headers))
    return table


def print_kpis(report: CheckReport) -> None:
    k = report.kpis
    table = Table(title="Key figures", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("Class-1 coverage (life-critical, in window)", f"{k.class1_coverage:.1%}"),
        ("Essential coverage (classes 1-2)", f"{k.essential_coverage:.1%}"),
        ("Visits kept / total", f"{k.visits_kept} / {k.visits_total}"),
        ("Care minutes", str(k.care_minutes)),
        (
            "Travel minutes (per kept visit)",
            f"{k.travel_minutes} ({k.travel_minutes_per_visit:.1f})",
        ),
        ("Care share of paid time", f"{k.care_share_of_paid_time:.1%}"),
        ("Deferred minutes", str(k.deferred_minutes)),
        (
            "Max distinct caregivers per isolated client",
            str(k.max_distinct_caregivers_per_isolated_client),
        ),
        ("Mean distinct caregivers per client", f"{k.mean_distinct_caregivers_per_client:.2f}"),
        (
            "Multi-site staff contacts with vulnerable clients",
            str(k.multi_site_vulnerable_contacts),
        ),
    ]
    for label, value in rows:
        table.add_row(label, value)
    out.print(table)


def print_summary(plan: Plan, report: CheckReport) -> None:
    print_kpis(report)
    counts = Table(title="Decisions")
    counts.add_column("decision")
    counts.add_column("visits", justify="right")
    for decision in Decision:
        counts.add_row(decision.value, str(report.kpis.visits_by_decision.get(decision.value, 0)))
    out.print(counts)
    if plan.shortfall.visits:
        out.print(f"[bold red]SHORTFALL:[/] {plan.shortfall.message}", highlight=False)
    else:
        out.print("[green]No shortfall: all care the policy requires is kept.[/]")
    if report.ok:
        out.print("[green]Plan checker: no violations.[/]")
    else:
        out.print(f"[bold red]Plan checker: {len(report.violations)} violations[/] (beredt check)")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
