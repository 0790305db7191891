"""Planner benchmark: generated districts at several sizes and absence rates, each
planner side by side, every plan scored by the independent checker, and a capacity
bound to say how much care was keepable at all.

A benchmark measures; it asserts nothing. Output: a rich table, and markdown + CSV.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from beredt.benchmarks import tables
from beredt.checker import check_plan
from beredt.domain.model import TransportMode
from beredt.domain.plan import Plan
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario
from beredt.planning import make_plan
from beredt.planning.capacity import class1_bound
from beredt.planning.class1check import missed_class1
from beredt.planning.optimiser import search_class1
from beredt.planning.routebound import ROUTE_BOUND_SECONDS, RouteBound, day_route_bound
from beredt.scenarios.generate import GeneratorConfig, generate_scenario
from beredt.travel import HaversineTravel, MatrixCache, TravelProvider, client_place, office_place

FIXED_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
BASELINE = "greedy"
"""The planner the others are compared with (the manual-planning baseline)."""
CLASS1_SEARCH_SECONDS = 120.0
"""Seconds per day for the search of the class-1 care alone (:func:`run`)."""


@dataclass(frozen=True)
class BenchRow:
    clients: int
    caregivers: int
    absence: float
    seed: int
    planner: str
    visits: int
    class1_coverage: float
    essential_coverage: float
    visits_kept: int
    deferred_minutes: int
    travel_minutes: int
    care_share: float
    max_isolated_caregivers: int
    violations: int
    seconds: float
    bound_care_minutes: int
    care_minutes: int
    mean_isolated_caregivers: float = 0.0
    class1_bound_allows: bool = True
    """The class-1 bounds allow keeping all class-1 care on every day: the flow bound
    (:mod:`beredt.planning.capacity`) and, where it was computed, the route bound
    (:mod:`beredt.planning.routebound`)."""
    class1_bound_missing: int = 0
    """Minutes of class-1 care (with least travel) that the flow bound proves no plan
    keeps."""
    class1_route_missing: int | None = None
    """Class-1 care minutes that the route bound proves no plan keeps; ``None`` where it
    was not computed (it runs only on days the flow bound allows and a plan other than
    the baseline's fell short on, :func:`run`)."""
    class1_found: bool | None = None
    """A search of the class-1 care alone (:func:`beredt.planning.optimiser.search_class1`)
    found routes keeping all of it on every day a plan fell short on: those plans' misses
    were avoidable. ``None`` where it did not run (it runs where neither bound proves a
    shortfall and a plan other than the baseline's still fell short)."""


@dataclass(frozen=True)
class CapacityBound:
    """Care minutes that could be kept at most: available working minutes (shifts less
    breaks) less the least travel the day needs (one arrival by car from the nearest
    other place per client visited), capped by the care required. It ignores windows,
    competence and double staffing, so it is an optimistic (upper) bound."""

    required_care_minutes: int
    available_minutes: int
    keepable_care_minutes: int


def capacity_bound(scenario: Scenario, travel: TravelProvider) -> CapacityBound:
    required = available = minimal_travel = 0
    cache = MatrixCache(travel)
    for day in scenario.dates:
        visits = scenario.visits_on(day)
        required += sum(v.task.duration * v.task.caregivers for v in visits)
        for caregiver in scenario.caregivers:
            shift = scenario.shift_on(caregiver, day)
            if shift is not None:
                pause = shift.break_.duration if shift.break_ else 0
                available += shift.paid_minutes - pause
        places = [client_place(c.id, c.location) for c in scenario.clients] + [
            office_place(u.id, u.office.location) for u in scenario.units
        ]
        # Each client visited that day needs at least one arrival from elsewhere.
        for client in {v.client.id: v.client for v in visits}.values():
            here = client_place(client.id, client.location)
            minimal_travel += min(
                (cache.minutes(here, p, TransportMode.CAR) for p in places if p.key != here.key),
                default=0,
            )
    keepable = max(0, min(required, available - minimal_travel))
    return CapacityBound(required, available, keepable)


def mean_isolated_caregivers(scenario: Scenario, plan: Plan) -> float:
    """Mean over (isolated client, day) of the distinct caregivers who came."""
    faces: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    for entry in plan.visits:
        client = scenario.client_by_id[entry.client]
        if scenario.needs_infection_team(client, entry.date):
            faces[(entry.client, entry.date)].update(entry.caregivers)
    return sum(len(f) for f in faces.values()) / len(faces) if faces else 0.0


def run(
    sizes: Iterable[tuple[int, int]],
    absences: Iterable[float],
    seeds: Iterable[int],
    planners: Iterable[str],
    on_row: Callable[[BenchRow], None] | None = None,
    time_limit: float | None = None,
    route_seconds: float = ROUTE_BOUND_SECONDS,
    search_seconds: float = CLASS1_SEARCH_SECONDS,
) -> list[BenchRow]:
    """Plan every district with every planner and score the plans. The route bound
    (``route_seconds`` per day, 0 for none) is only needed where the flow bound allows
    full class-1 coverage and a plan other than the baseline's still falls short: it
    says whether that plan missed care that could be kept, or the day could not keep it
    at all. It runs there, once per district, and every planner's row of the district
    reports it. Where it proves nothing either, a search of the class-1 care alone
    (``search_seconds`` per day the plan fell short on, 0 for none) looks for routes
    that keep it all: found, the plan's misses were avoidable."""
    rows: list[BenchRow] = []
    travel = HaversineTravel()
    for clients, caregivers in sizes:
        for absence in absences:
            for seed in seeds:
                config = GeneratorConfig(
                    clients=clients,
                    caregivers=caregivers,
                    absence=absence,
                    isolated=max(1, clients // 30),
                    seed=seed,
                )
                scenario = generate_scenario(config)
                bound = capacity_bound(scenario, travel)
                cache = MatrixCache(travel)
                class1 = [class1_bound(scenario, cache, day) for day in scenario.dates]
                routes: list[RouteBound] | None = None
                found: bool | None = None
                district: list[BenchRow] = []
                for planner in planners:
                    began = time.perf_counter()
                    plan = make_plan(
                        scenario,
                        travel,
                        planner=planner,
                        seed=seed,
                        created_at=FIXED_TIME,
                        time_limit=time_limit,
                    )
                    seconds = time.perf_counter() - began
                    report = check_plan(scenario, plan, travel)
                    k = report.kpis
                    flow_allows = all(b.allows_full_coverage for b in class1)
                    # The baseline falls short on most days; the target is the others'.
                    short = k.class1_coverage < 1.0 and planner != BASELINE
                    if routes is None and route_seconds > 0 and flow_allows and short:
                        missed = missed_class1(scenario, plan)
                        routes = [
                            day_route_bound(
                                scenario, cache, day, seconds=route_seconds, focus=missed[day]
                            )
                            for day in scenario.dates
                        ]
                        if search_seconds > 0 and not any(b.proves_shortfall for b in routes):
                            found = all(
                                search_class1(
                                    scenario, travel, day, seconds=search_seconds, seed=seed
                                ).complete
                                for day in scenario.dates
                                if missed[day]
                            )
                    row = BenchRow(
                        clients=clients,
                        caregivers=caregivers,
                        absence=absence,
                        seed=seed,
                        planner=planner,
                        visits=k.visits_total,
                        class1_coverage=k.class1_coverage,
                        essential_coverage=k.essential_coverage,
                        visits_kept=k.visits_kept,
                        deferred_minutes=k.deferred_minutes,
                        travel_minutes=k.travel_minutes,
                        care_share=k.care_share_of_paid_time,
                        max_isolated_caregivers=k.max_distinct_caregivers_per_isolated_client,
                        violations=len(report.violations),
                        seconds=round(seconds, 2),
                        bound_care_minutes=bound.keepable_care_minutes,
                        care_minutes=k.care_minutes,
                        mean_isolated_caregivers=round(mean_isolated_caregivers(scenario, plan), 2),
                        class1_bound_allows=flow_allows,
                        class1_bound_missing=sum(b.missing_minutes for b in class1),
                    )
                    district.append(row)
                    if on_row is not None:
                        on_row(row)
                rows.extend(
                    replace(row, class1_found=found) for row in _with_routes(district, routes)
                )
    return rows


def _with_routes(rows: list[BenchRow], routes: list[RouteBound] | None) -> list[BenchRow]:
    """The district's rows with the route bound's verdict, once it was computed."""
    if routes is None:
        return rows
    missing = sum(b.missing_minutes for b in routes)
    return [
        replace(
            row,
            class1_bound_allows=row.class1_bound_allows and missing == 0,
            class1_route_missing=missing,
        )
        for row in rows
    ]


HEADERS = [
    ("clients", "clients"),
    ("caregivers", "staff"),
    ("absence", "absent"),
    ("seed", "seed"),
    ("planner", "planner"),
    ("visits", "visits"),
    ("class1_coverage", "class 1"),
    ("class1_bound_allows", "class-1 bound allows 100%"),
    ("class1_bound_missing", "class-1 min short (bound)"),
    ("class1_route_missing", "class-1 care min short (route bound)"),
    ("class1_found", "class-1 all kept by a search"),
    ("essential_coverage", "class 1-2"),
    ("visits_kept", "kept"),
    ("deferred_minutes", "deferred min"),
    ("travel_minutes", "travel min"),
    ("care_share", "care share"),
    ("max_isolated_caregivers", "max staff/isolated"),
    ("mean_isolated_caregivers", "mean staff/isolated"),
    ("care_minutes", "care min"),
    ("bound_care_minutes", "bound care min"),
    ("violations", "violations"),
    ("seconds", "seconds"),
]


def format_cell(key: str, value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key in {"class1_coverage", "essential_coverage", "care_share", "absence"}:
        assert isinstance(value, float)
        return f"{value:.0%}" if key == "absence" else f"{value:.1%}"
    return str(value)


def to_markdown(rows: list[BenchRow]) -> str:
    return "\n".join(tables.markdown(HEADERS, [asdict(r) for r in rows], format_cell)) + "\n"


def write_outputs(rows: list[BenchRow], directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    md, csv_path = directory / "planner-bench.md", directory / "planner-bench.csv"
    md.write_text(to_markdown(rows), encoding="utf-8")
    tables.write_csv(csv_path, [k for k, _ in HEADERS], [asdict(r) for r in rows])
    return md, csv_path


# ------------------------------------------------------------------ summaries


@dataclass(frozen=True)
class Comparison:
    """Greedy against another planner, averaged over seeds, for one size and absence."""

    clients: int
    absence: float
    planner: str
    essential_greedy: float
    essential_planner: float
    care_minutes_gain: float
    """Relative change in care minutes kept (planner over greedy, minus 1)."""
    travel_change: float
    class1_planner: float
    class1_where_allowed: str
    """Runs with full class-1 coverage among those where the class-1 bound allows it."""
    class1_avoidable: int
    """Of those that fall short, runs on districts where a search of the class-1 care
    alone kept it all: misses shown to be the planner's."""
    bound_care_minutes: float
    care_share_of_bound: float
    seconds: float


def compare(rows: list[BenchRow], baseline: str = BASELINE) -> list[Comparison]:
    groups: dict[tuple[int, float, str], list[BenchRow]] = defaultdict(list)
    for row in rows:
        groups[(row.clients, row.absence, row.planner)].append(row)
    out = []
    for (clients, absence, planner), mine in sorted(groups.items()):
        if planner == baseline or (clients, absence, baseline) not in groups:
            continue
        base = groups[(clients, absence, baseline)]

        def mean(values: list[float]) -> float:
            return sum(values) / len(values)

        care_base = mean([r.care_minutes for r in base])
        care = mean([r.care_minutes for r in mine])
        travel_base = mean([r.travel_minutes for r in base])
        bound = mean([r.bound_care_minutes for r in mine])
        out.append(
            Comparison(
                clients=clients,
                absence=absence,
                planner=planner,
                essential_greedy=mean([r.essential_coverage for r in base]),
                essential_planner=mean([r.essential_coverage for r in mine]),
                care_minutes_gain=care / care_base - 1 if care_base else 0.0,
                travel_change=mean([r.travel_minutes for r in mine]) / travel_base - 1
                if travel_base
                else 0.0,
                class1_planner=mean([r.class1_coverage for r in mine]),
                class1_where_allowed=_where_allowed(mine),
                class1_avoidable=sum(
                    1
                    for r in mine
                    if r.class1_bound_allows and r.class1_coverage < 1.0 and r.class1_found
                ),
                bound_care_minutes=bound,
                care_share_of_bound=care / bound if bound else 0.0,
                seconds=mean([r.seconds for r in mine]),
            )
        )
    return out


def _where_allowed(rows: list[BenchRow]) -> str:
    allowed = [r for r in rows if r.class1_bound_allows]
    full = sum(1 for r in allowed if r.class1_coverage >= 1.0)
    return f"{full}/{len(allowed)}"


def comparison_markdown(comparisons: list[Comparison]) -> str:
    lines = [
        "| clients | absent | planner | class 1 | class 1 = 100 % where the bound allows "
        "| of the others, all class 1 found keepable "
        "| class 1-2 greedy | class 1-2 planner "
        "| care kept vs greedy | travel vs greedy | care kept / bound | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in comparisons:
        lines.append(
            f"| {c.clients} | {c.absence:.0%} | {c.planner} | {c.class1_planner:.1%} "
            f"| {c.class1_where_allowed} | {c.class1_avoidable} "
            f"| {c.essential_greedy:.1%} | {c.essential_planner:.1%} "
            f"| {c.care_minutes_gain:+.1%} | {c.travel_change:+.1%} "
            f"| {c.care_share_of_bound:.1%} | {c.seconds:.1f} |"
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- convergence


@dataclass(frozen=True)
class ConvergenceRun:
    """One plan of the convergence day."""

    search_seed: int
    seconds: float
    cost: float
    """The engine's objective (lower is better)."""
    care_minutes: int
    """Caregiver-minutes of care kept (the checker's ``care_minutes``)."""
    kept_value: float
    """Care kept weighted by priority (:func:`kept_value`)."""
    wall: float
    """Seconds from the start of planning to the finished plan (what the time limit
    covers: warm start, model, search and the check of its routes)."""


@dataclass(frozen=True)
class Convergence:
    """Short runs (one per search seed) against runs at ``factor`` times the time. A
    long run varies from seed to seed too, so the short runs are judged against the
    mean of the long runs."""

    visits: int
    caregivers: int
    short: tuple[ConvergenceRun, ...]
    long: tuple[ConvergenceRun, ...]

    @property
    def long_care(self) -> float:
        """Mean care minutes of the long runs: the reference."""
        return sum(run.care_minutes for run in self.long) / len(self.long)

    @property
    def long_value(self) -> float:
        """Mean care weighted by priority of the long runs."""
        return sum(run.kept_value for run in self.long) / len(self.long)

    def care_difference(self, run: ConvergenceRun) -> float:
        """Care minutes ``run`` keeps relative to the long runs' mean (-0.03: 3 % less)."""
        return run.care_minutes / self.long_care - 1 if self.long_care else 0.0

    def value_difference(self, run: ConvergenceRun) -> float:
        """The same for care kept weighted by priority."""
        return run.kept_value / self.long_value - 1 if self.long_value else 0.0

    def within(self, limit: float = 0.02) -> int:
        """Short runs that keep at least ``1 - limit`` of the long runs' mean care minutes."""
        return sum(1 for run in self.short if self.care_difference(run) >= -limit)


def kept_value(scenario: Scenario, plan: Plan) -> float:
    """Kept care weighted the way the objective weighs care it does not keep: each kept
    visit counts its penalty (:func:`~beredt.planning.day_model.visit_penalty`: class
    value × minutes × vulnerability, after the triage alternative's discount), class-1
    visits without the mandatory constant (so at the class-2 value)."""
    from beredt.planning.day_model import MANDATORY, visit_penalty

    total = 0.0
    for entry in plan.visits:
        visit = scenario.visit_by_id(entry.visit)
        if visit is None or entry.decision is not Decision.KEPT:
            continue
        value = visit_penalty(scenario, visit, entry.date)
        if visit.task.priority_class == 1:
            value -= MANDATORY * visit.task.caregivers
        total += value
    return total


def convergence(
    clients: int,
    caregivers: int,
    absence: float,
    seed: int,
    seconds: float,
    factor: float = 10,
    runs: int = 1,
    progress: Callable[[str], None] | None = None,
    long_runs: int = 1,
) -> Convergence:
    """Plan one day ``runs`` times at ``seconds`` (search seeds ``seed`` … ``seed + runs
    - 1``) and ``long_runs`` times at ``factor`` times that (search seeds ``seed`` …);
    the issue's target is within 2 % of the long runs on kept care. One run says little:
    on a day with many double-staffed visits a single time-limited run varies by about
    as much as the two limits differ, at either limit."""
    from beredt.planning.optimiser import Optimiser, OptimiserSettings

    if runs < 1 or long_runs < 1:
        raise ValueError(f"runs and long runs must be at least 1, got {runs} and {long_runs}")
    scenario = generate_scenario(
        GeneratorConfig(clients=clients, caregivers=caregivers, absence=absence, seed=seed)
    )
    travel = HaversineTravel()

    def run(search_seed: int, limit: float) -> ConvergenceRun:
        if progress:
            progress(f"search seed {search_seed}, {limit:g} s")
        settings = OptimiserSettings(time_limit=limit, seed=search_seed)
        optimiser = Optimiser(scenario, travel, settings)
        started = time.perf_counter()
        plan = optimiser.plan(FIXED_TIME)
        wall = time.perf_counter() - started
        return ConvergenceRun(
            search_seed=search_seed,
            seconds=limit,
            cost=sum(result.cost for result in optimiser.results.values()),
            care_minutes=check_plan(scenario, plan, travel).kpis.care_minutes,
            kept_value=kept_value(scenario, plan),
            wall=wall,
        )

    short = tuple(run(seed + k, seconds) for k in range(runs))
    return Convergence(
        visits=len(scenario.visits_on(scenario.start_date)),
        caregivers=sum(1 for c in scenario.caregivers if scenario.shift_on(c, scenario.start_date)),
        short=short,
        long=tuple(run(seed + k, seconds * factor) for k in range(long_runs)),
    )
