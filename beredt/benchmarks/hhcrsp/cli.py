"""``beredt hhcrsp …``: solve and score instances of the public HHCRSP benchmark, and
run benches, with beredt's planning engine.

Exit status: 0 success (``score``: the solution is valid; ``bench``: every solution is
valid), 1 a solution breaks a hard rule, 2 bad input or no solver.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from fnmatch import fnmatch
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from beredt.benchmarks.hhcrsp import bench as hb
from beredt.benchmarks.hhcrsp.files import file_stem
from beredt.benchmarks.hhcrsp.instance import read_instance
from beredt.benchmarks.hhcrsp.score import Score, score
from beredt.benchmarks.hhcrsp.solution import read_solution, write_solution
from beredt.benchmarks.hhcrsp.solve import solve_instance
from beredt.domain.errors import BeredtError

app = typer.Typer(
    help="The public home-healthcare routing benchmark (HHCRSP): solve, score and bench.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

out = Console()
err = Console(stderr=True)
SHOWN_VIOLATIONS = 30


@contextmanager
def user_errors() -> Iterator[None]:
    """Show input errors as messages, never as stack traces (exit status 2)."""
    try:
        yield
    except BeredtError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


@app.command("score")
def score_command(
    instance: Annotated[Path, typer.Argument(help="Instance file (.json or .json.gz)")],
    solution: Annotated[Path, typer.Argument(help="Solution file (.json or .json.gz)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, not a table")] = False,
) -> None:
    """Check a solution against every hard rule and compute the benchmark's cost."""
    with user_errors():
        problem = read_instance(instance)
        result = score(problem, read_solution(solution))
    if as_json:
        data = {"instance": problem.name, "solution": str(solution), **result.as_dict()}
        typer.echo(json.dumps(data, indent=2))
    else:
        print_score(problem.name, result)
    raise typer.Exit(code=0 if result.valid else 1)


def print_score(name: str, result: Score) -> None:
    table = Table(title="HHCRSP score", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("instance", name)
    table.add_row("valid", "[green]yes[/]" if result.valid else "[red]no[/]")
    table.add_row("distance traveled", f"{result.distance_traveled:.3f}")
    table.add_row("total tardiness", f"{result.total_tardiness:.3f}")
    table.add_row("max tardiness", f"{result.max_tardiness:.3f}")
    table.add_row("total cost", f"{result.total_cost:.3f}")
    out.print(table)
    if result.violations:
        count = len(result.violations)
        noun = "violation" if count == 1 else "violations"
        out.print(f"[red]{count} {noun}[/] of the hard rules:")
        for message in result.violations[:SHOWN_VIOLATIONS]:
            out.print(f"  {message}", highlight=False, markup=False)
        hidden = len(result.violations) - SHOWN_VIOLATIONS
        if hidden > 0:
            out.print(f"  … and {hidden} more (use --json for all)")


@app.command("solve")
def solve_command(
    instance: Annotated[Path, typer.Argument(help="Instance file (.json or .json.gz)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Solution file to write")],
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds of search")] = 60.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed")] = 0,
    iterations: Annotated[
        int,
        typer.Option(
            "--iterations", min=0, help="Stop after this many moves (reproducible for a seed)"
        ),
    ] = 0,
) -> None:
    """Solve an instance with beredt's planning engine, score it and write the solution."""
    with user_errors():
        problem = read_instance(instance)
        with err.status(f"Solving {problem.name}…"):
            solution = solve_instance(problem, time_limit, seed=seed, max_iterations=iterations)
        write_solution(solution, output)
    result = score(problem, solution)
    print_score(problem.name, result)
    out.print(f"Wrote {output}")
    raise typer.Exit(code=0 if result.valid else 1)


@app.command("bench")
def bench_command(
    directory: Annotated[Path, typer.Argument(help="Folder of instances (.json / .json.gz)")],
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds per instance")],
    best_known: Annotated[
        Path | None,
        typer.Option("--best-known", help="best_known.csv (default: DIR/best_known.csv)"),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Instances run in parallel")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed passed to the solver")] = 0,
    output: Annotated[Path, typer.Option("--output", help="Folder for the tables")] = Path(
        "var/bench/hhcrsp"
    ),
    match: Annotated[
        list[str] | None,
        typer.Option("--match", help="Only instances whose name matches this glob (repeatable)"),
    ] = None,
    solutions: Annotated[
        Path | None,
        typer.Option("--solutions", help="Also write each solution to this folder (INSTANCE.json)"),
    ] = None,
) -> None:
    """Solve every instance in DIR, score each solution, compare with the best known."""
    with user_errors():
        paths = instance_paths(directory)
        if match:
            paths = [p for p in paths if any(fnmatch(file_stem(p), pattern) for pattern in match)]
            if not paths:
                raise BeredtError(f"{directory}: no instance matches {', '.join(match)}")
        known_path = best_known or directory / "best_known.csv"
        known = hb.load_best_known(known_path) if best_known or known_path.exists() else {}
        with err.status("Benchmark…") as status:
            done = 0

            def progress(result: hb.BenchResult) -> None:
                nonlocal done
                done += 1
                status.update(f"Benchmark: {done}/{len(paths)} ({result.instance})")

            results = hb.run_bench(
                paths,
                solve_instance,
                time_limit,
                seed,
                jobs=jobs,
                best_known=known,
                on_result=progress,
                solutions=solutions,
            )
    print_bench(results)
    for path in hb.write_tables(results, output):
        out.print(f"Wrote {path}")
    raise typer.Exit(code=0 if all(r.valid for r in results) else 1)


def instance_paths(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise BeredtError(f"{directory}: not a folder of instances")
    paths = [p for p in directory.iterdir() if p.name.endswith((".json", ".json.gz"))]
    if not paths:
        raise BeredtError(f"{directory}: no instance files (*.json, *.json.gz)")
    return sorted(paths, key=_natural)


def _natural(path: Path) -> tuple[object, ...]:
    """``…_10_2`` before ``…_10_10`` and ``…_25_1``: numbers compare as numbers."""
    parts: list[object] = []
    for chunk in file_stem(path).replace("-", "_").split("_"):
        parts.append((0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk))
    return tuple(parts)


def print_bench(results: list[hb.BenchResult]) -> None:
    table = Table(title="HHCRSP benchmark")
    for _, label in hb.RESULT_HEADERS:
        table.add_column(label, justify="left" if label == "instance" else "right")
    for r in results:
        values = asdict(r)
        table.add_row(*(hb.format_cell(k, values[k]) for k, _ in hb.RESULT_HEADERS))
    out.print(table)
    classes = Table(title="Mean gap by size class (valid solutions)")
    for _, label in hb.CLASS_HEADERS:
        classes.add_column(label, justify="right")
    for s in hb.summarise(results):
        values = asdict(s)
        classes.add_row(*(hb.format_cell(k, values[k]) for k, _ in hb.CLASS_HEADERS))
    out.print(classes)
    for r in results:
        if r.error:
            err.print(f"[red]{r.instance}[/]: {r.error}", highlight=False)
