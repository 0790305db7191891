"""Run a solver over HHCRSP instances and compare with the best known results.

A benchmark measures; it asserts nothing. Every solution is scored by
:func:`beredt.benchmarks.hhcrsp.score.score`, never trusted from the solver. Output: a
list of :class:`BenchResult`, and markdown + CSV tables from :func:`write_tables`.
"""

from __future__ import annotations

import csv
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from beredt.benchmarks import tables
from beredt.benchmarks.hhcrsp.files import file_stem
from beredt.benchmarks.hhcrsp.instance import Instance, read_instance
from beredt.benchmarks.hhcrsp.score import score
from beredt.benchmarks.hhcrsp.solution import Solution, write_solution
from beredt.domain.errors import InputError, Problem

Solver = Callable[[Instance, float, int], Solution]
"""``solve(instance, time_limit_seconds, seed) -> Solution``."""

MANKOWSKA, ITALIAN = "mankowska", "italian"


@dataclass(frozen=True)
class BestKnown:
    instance: str
    distance_traveled: float
    max_tardiness: float
    total_tardiness: float
    total_cost: float


@dataclass(frozen=True)
class BenchResult:
    instance: str
    family: str
    patients: int
    size_class: str
    best_known: float | None
    cost: float | None
    """Our total cost; ``None`` when the solver failed."""
    gap: float | None
    """(ours - best known) / best known in percent; ``None`` if either is missing."""
    valid: bool
    seconds: float
    distance_traveled: float | None = None
    total_tardiness: float | None = None
    max_tardiness: float | None = None
    violations: int = 0
    error: str | None = None


def load_best_known(csv_path: Path | str) -> dict[str, BestKnown]:
    """``best_known.csv`` keyed by instance name (the file name without ``.json``). A
    ``.md`` file is read as the markdown table the benchmark's repository publishes
    (``solutions/italian_best.md``: the same columns between ``|``)."""
    path = Path(csv_path)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            if path.suffix == ".md":
                rows = _markdown_rows(handle.read())
            else:
                rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise InputError(str(path), [Problem("", f"cannot read the file: {exc}")]) from None
    table: dict[str, BestKnown] = {}
    for line, row in enumerate(rows, start=2):
        try:
            name = file_stem(Path(row["instance"]))
            table[name] = BestKnown(
                instance=name,
                distance_traveled=float(row["distance_traveled"]),
                max_tardiness=float(row["max_tardiness"]),
                total_tardiness=float(row["total_tardiness"]),
                total_cost=float(row["total_cost"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(str(path), [Problem(f"line {line}", f"bad row: {exc}")]) from None
    return table


def _markdown_rows(text: str) -> list[dict[str, str]]:
    """The rows of a markdown pipe table as dicts by header (the ``|---|`` line skipped)."""
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    if not lines:
        return []
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    header, body = cells[0], [c for c in cells[1:] if not all(set(x) <= set(":-") for x in c)]
    return [dict(zip(header, row, strict=False)) for row in body]


def family_of(name: str) -> str:
    """Mankowska instances are named ``Instanz…``; everything else is taken as Italian."""
    return MANKOWSKA if name.startswith("Instanz") else ITALIAN


def size_class(family: str, patients: int) -> str:
    """Mankowska: the patient count (its sizes are 10, 25, …, 300). Italian: three bands."""
    if family == MANKOWSKA:
        return str(patients)
    if patients < 100:
        return "small <100"
    return "medium 100-250" if patients <= 250 else "large >250"


def run_bench(
    paths: Sequence[Path | str],
    solve: Solver,
    time_limit: float,
    seed: int,
    jobs: int = 1,
    best_known: Mapping[str, BestKnown] | None = None,
    on_result: Callable[[BenchResult], None] | None = None,
    solutions: Path | None = None,
) -> list[BenchResult]:
    """Solve each instance in ``paths`` and score it; results in the order of ``paths``.
    With ``solutions`` (a folder), each solution is written there as
    ``INSTANCE.json`` in the published format, valid or not.

    With ``jobs > 1`` instances run in parallel worker processes (``solve`` must then be
    a module-level function). A solver that raises gives an invalid result with the
    error, not an aborted run.
    """
    known = dict(best_known or {})
    if solutions is not None:
        solutions.mkdir(parents=True, exist_ok=True)
    tasks = [
        (Path(p), solve, time_limit, seed, known.get(file_stem(Path(p))), solutions) for p in paths
    ]
    if jobs <= 1:
        results = []
        for task in tasks:
            result = _bench_one(*task)
            results.append(result)
            if on_result is not None:
                on_result(result)
        return results
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_bench_one, *task) for task in tasks]
        results = []
        for future in futures:
            result = future.result()
            results.append(result)
            if on_result is not None:
                on_result(result)
        return results


def _bench_one(
    path: Path,
    solve: Solver,
    time_limit: float,
    seed: int,
    best: BestKnown | None,
    solutions: Path | None = None,
) -> BenchResult:
    name = file_stem(path)
    instance = read_instance(path)  # bad input is the caller's error: let it surface
    family = family_of(name)
    unsolved = BenchResult(
        instance=name,
        family=family,
        patients=len(instance.patients),
        size_class=size_class(family, len(instance.patients)),
        best_known=best.total_cost if best else None,
        cost=None,
        gap=None,
        valid=False,
        seconds=0.0,
    )
    began = time.perf_counter()
    try:
        solution = solve(instance, time_limit, seed)
    except Exception as exc:  # a solver bug is a row in the table, not an aborted run
        seconds = round(time.perf_counter() - began, 2)
        return replace(unsolved, seconds=seconds, error=f"{type(exc).__name__}: {exc}")
    seconds = round(time.perf_counter() - began, 2)
    if solutions is not None:
        write_solution(solution, solutions / f"{name}.json")
    result = score(instance, solution)
    gap = None
    if best is not None and best.total_cost > 0:
        gap = (result.total_cost - best.total_cost) / best.total_cost * 100
    return replace(
        unsolved,
        cost=result.total_cost,
        gap=gap,
        valid=result.valid,
        seconds=seconds,
        distance_traveled=result.distance_traveled,
        total_tardiness=result.total_tardiness,
        max_tardiness=result.max_tardiness,
        violations=len(result.violations),
    )


# ---------------------------------------------------------------------- tables


@dataclass(frozen=True)
class ClassSummary:
    family: str
    size_class: str
    instances: int
    valid: int
    mean_gap: float | None
    """Mean gap in percent over the valid results with a best known value."""
    max_gap: float | None


def summarise(results: Iterable[BenchResult]) -> list[ClassSummary]:
    """Mean gap per family and size class, smallest class first, then per family."""
    groups: dict[tuple[str, str], list[BenchResult]] = {}
    for r in sorted(results, key=lambda r: (r.family, r.patients)):
        groups.setdefault((r.family, r.size_class), []).append(r)
        groups.setdefault((r.family, "all"), []).append(r)
    rows = []
    for (family, klass), members in groups.items():
        gaps = [r.gap for r in members if r.valid and r.gap is not None]
        rows.append(
            ClassSummary(
                family=family,
                size_class=klass,
                instances=len(members),
                valid=sum(r.valid for r in members),
                mean_gap=statistics.fmean(gaps) if gaps else None,
                max_gap=max(gaps) if gaps else None,
            )
        )
    return sorted(rows, key=lambda s: (s.family, s.size_class == "all"))


RESULT_HEADERS = [
    ("instance", "instance"),
    ("patients", "patients"),
    ("best_known", "best known"),
    ("cost", "ours"),
    ("gap", "gap %"),
    ("valid", "valid"),
    ("seconds", "seconds"),
]
CLASS_HEADERS = [
    ("family", "family"),
    ("size_class", "size class"),
    ("instances", "instances"),
    ("valid", "valid"),
    ("mean_gap", "mean gap %"),
    ("max_gap", "max gap %"),
]


def format_cell(key: str, value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key in {"gap", "mean_gap", "max_gap"} and isinstance(value, float):
        return f"{value:+.2f}"
    if key in {"best_known", "cost"} and isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def to_markdown(results: list[BenchResult]) -> str:
    per_instance = tables.markdown(RESULT_HEADERS, [asdict(r) for r in results], format_cell)
    per_class = tables.markdown(CLASS_HEADERS, [asdict(s) for s in summarise(results)], format_cell)
    failed = [f"- {r.instance}: {r.error}" for r in results if r.error]
    parts = ["## Per instance", "", *per_instance, "", "## Mean gap by size class", ""]
    parts += per_class
    if failed:
        parts += ["", "## Solver errors", "", *failed]
    return "\n".join(parts) + "\n"


def write_tables(results: list[BenchResult], out_dir: Path | str) -> tuple[Path, Path, Path]:
    """Write ``hhcrsp-bench.md`` (both tables), ``hhcrsp-bench.csv`` (every field per
    instance) and ``hhcrsp-bench-classes.csv``; returns the three paths."""
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    md = directory / "hhcrsp-bench.md"
    per_instance = directory / "hhcrsp-bench.csv"
    per_class = directory / "hhcrsp-bench-classes.csv"
    md.write_text(to_markdown(results), encoding="utf-8")
    tables.write_csv(
        per_instance, [f.name for f in fields(BenchResult)], [asdict(r) for r in results]
    )
    summaries = [asdict(s) for s in summarise(results)]
    tables.write_csv(per_class, [f.name for f in fields(ClassSummary)], summaries)
    return md, per_instance, per_class
