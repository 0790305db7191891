"""The engine's modelling front door: locations, caregivers, jobs, synchronisations and
weights, solved by the compiled search core (``beredt_core``).

The engine knows nothing of clients, tasks or policy. The home-care planner
(:mod:`beredt.planning.optimiser`) and the HHCRSP benchmark both translate their
problems into a :class:`Model`; improvements to the engine serve both.

A *job* is one caregiver's part of a visit: a double-staffed visit is two jobs in one
``group`` (served together or not at all) tied by a synchronisation with gap 0.
Times are floats (minutes); the home-care translation uses whole minutes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import beredt_core

INF = math.inf


@dataclass(frozen=True, slots=True)
class EngineCaregiver:
    start_location: int
    end_location: int
    shift_start: float = 0.0
    shift_end: float = INF
    max_work: float = INF
    break_window: tuple[float, float] | None = None
    break_duration: float = 0.0
    matrix: int = 0
    """Which travel matrix (transport mode) this caregiver moves by."""


@dataclass(frozen=True, slots=True)
class Job:
    location: int
    duration: float
    earliest: float
    latest: float
    """Latest start without tardiness cost."""
    hard_latest: float = INF
    """Latest start allowed at all."""
    eligible: tuple[int, ...] = ()
    penalty: float = 0.0
    """Cost of leaving the job unserved."""
    client: int = -1
    """Jobs of one client count towards its number of distinct caregivers."""
    group: int = -1
    """Jobs sharing a group are served all together or not at all, by different people."""
    infectious: bool = False
    preference: tuple[tuple[int, float], ...] = ()
    """(caregiver, bonus): cost saved when that caregiver serves the job."""
    late_cost: float = 0.0
    """Cost per minute started after ``latest``, on top of the tardiness weight (result
    component ``late_cost``)."""


@dataclass(frozen=True, slots=True)
class Sync:
    """``start[second] - start[first]`` lies in ``[min_gap, max_gap]`` when both are served."""

    first: int
    second: int
    min_gap: float = 0.0
    max_gap: float = 0.0


@dataclass(frozen=True, slots=True)
class Weights:
    travel: float = 1.0
    tardiness: float = 1.0
    max_tardiness: float = 0.0
    distinct_caregivers: float = 0.0
    """Per client, per caregiver beyond the first."""
    infection_crossing: float = 0.0
    """Per route step from an infectious home to a non-infectious one."""
    workload: float = 0.0
    """Times the sum of squared working hours per route: evens out the load."""


@dataclass(frozen=True, slots=True)
class SearchParameters:
    time_limit: float = 10.0
    max_iterations: int = 0
    """When positive, the search stops after this many moves and cools by moves, not
    by the clock: results are then reproducible for a seed."""
    seed: int = 0
    ruin_probability: float = 0.02
    unserved_seed: float = 0.5
    """Share of ruin-and-recreate moves centred on a job left out (a costly one, by a
    tournament of two) rather than on a served job: they clear room around it."""
    repair_share: float = 0.1
    """Share of the time limit kept, near the end of the annealing, for a descent that
    tries to make room for each double-staffed visit left out in every pair of routes
    (and for single jobs costing ``repair_single_penalty`` or more, in every route) (with
    ``max_iterations``: after the last move, at most ``max_iterations × repair_share /
    100`` attempts, and at least 100); 0 turns it off."""
    repair_single_penalty: float = INF
    """Single jobs left out that cost at least this are repaired like double-staffed
    visits (each eligible route, five points of the window); the planner sets it to
    the class-1 penalty."""
    initial_temperature: float = 0.0
    """The annealing's starting temperature; 0 samples it from the starting solution's
    moves (right for a search from scratch, too hot to stay near a published plan)."""
    final_temperature_ratio: float = 1e-4
    initial_acceptance: float = 0.1
    """With a sampled start temperature: how likely the median worsening move is accepted
    at the start (strictly between 0 and 1)."""
    insert_candidates: int = 8
    """Places per job costed exactly when (re)inserting it, the best by a quick estimate
    (added travel, lateness, push on the next job); 0 costs every place looked at."""
    target_cost: float | None = None
    """Stop as soon as the best solution costs this or less (e.g. below one mandatory
    penalty: every mandatory job is served)."""
    time_warp: float = 0.0
    """When positive, a phase with time warp at this cost per minute (Vidal et al., as in
    HGS): a job that would start after its hard latest start starts then all the same
    and each minute pulled back costs this, as does each minute past a shift's end or the
    maximum working time, instead of the sequence being refused. Only warp-free states
    become the best; when the phase ends, the current state is made warp-free by leaving
    out the jobs pulled back furthest. For searches that must serve every job (the
    planner's class-1 phase), where it finds the last places (``docs/engine.md``,
    eleventh round)."""
    warp_after: float = 0.3
    """The time-warp phase begins at this share of the time (or of the moves) or later,
    and ends where the group repair begins."""
    warp_max_share: float = 0.02
    """... It begins as soon as the best solution leaves at most this share of the jobs
    (at least two) out."""
    warp_focus: float = 0.0
    """While the current state has time warp, this share of the moves start from a job of
    a route with warp (a random one of those routes): the overflow is in a few routes of
    a day, and moves elsewhere cannot reduce it (``docs/engine.md``, twelfth round)."""
    warp_temperature: float = 0.0
    """When positive, while time warp is on the annealing holds this temperature, in
    minutes of warp (times ``time_warp``), instead of cooling on (a minute more of
    overflow is accepted about one time in three at 1). The overflow is what the phase
    reduces, so its temperature is measured in it (``docs/engine.md``, twelfth round)."""
    warp_restart: float = 0.0
    """When positive, time warp starts again from the best solution (its jobs left out
    inserted where they overflow least) after this share of the time (or of the moves)
    without a new best."""
    verify: bool = False
    """A test aid: re-schedule every costed move in full as well and count where the
    incremental schedule differs (``Result.stats["partial_mismatches"]``). Slow."""


@dataclass(frozen=True, slots=True)
class Route:
    caregiver: int
    jobs: tuple[int, ...]
    break_start: float | None
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Result:
    routes: tuple[Route, ...]
    starts: tuple[float, ...]
    """Start time per job; NaN when the job is unserved."""
    unserved: tuple[int, ...]
    cost: float
    components: dict[str, float]
    iterations: int
    seconds: float
    stats: dict[str, object] = field(default_factory=dict)
    """Search statistics: per move kind [proposed, feasible, accepted, new best], the
    starting temperature, exact-check refusals and (with ``verify``) mismatches."""

    def served(self, job: int) -> bool:
        return not math.isnan(self.starts[job])


ProgressCallback = Callable[[float, float], None]
"""Called now and then with (seconds elapsed, best cost so far)."""


@dataclass
class Model:
    """Build with ``add_*``, then :meth:`solve`."""

    matrices: list[list[list[float]]] = field(default_factory=list)
    caregivers: list[EngineCaregiver] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    syncs: list[Sync] = field(default_factory=list)
    weights: Weights = field(default_factory=Weights)

    def add_matrix(self, matrix: Sequence[Sequence[float]]) -> int:
        self.matrices.append([list(row) for row in matrix])
        return len(self.matrices) - 1

    def add_caregiver(self, caregiver: EngineCaregiver) -> int:
        self.caregivers.append(caregiver)
        return len(self.caregivers) - 1

    def add_job(self, job: Job) -> int:
        self.jobs.append(job)
        return len(self.jobs) - 1

    def add_sync(self, sync: Sync) -> None:
        self.syncs.append(sync)

    def solve(
        self,
        parameters: SearchParameters | None = None,
        initial: Sequence[Sequence[int]] | None = None,
        progress: ProgressCallback | None = None,
    ) -> Result:
        """Search for the cheapest routes. ``initial`` (job order per caregiver) seeds
        the search, e.g. with the published plan when re-planning."""
        params = parameters or SearchParameters()
        raw = beredt_core.solve(
            self._payload(),
            [list(r) for r in initial] if initial is not None else [],
            {
                "time_limit": params.time_limit,
                "max_iterations": params.max_iterations,
                "seed": params.seed,
                "ruin_probability": params.ruin_probability,
                "unserved_seed": params.unserved_seed,
                "repair_share": params.repair_share,
                "repair_single_penalty": params.repair_single_penalty,
                "initial_temperature": params.initial_temperature,
                "final_temperature_ratio": params.final_temperature_ratio,
                "insert_candidates": params.insert_candidates,
                "initial_acceptance": params.initial_acceptance,
                "verify": params.verify,
                "target_cost": params.target_cost,
                "time_warp": params.time_warp,
                "warp_after": params.warp_after,
                "warp_max_share": params.warp_max_share,
                "warp_focus": params.warp_focus,
                "warp_restart": params.warp_restart,
                "warp_temperature": params.warp_temperature,
            },
            progress,
        )
        return _result(raw)

    def subset(self, keep: Sequence[int]) -> tuple[Model, list[int]]:
        """The model with only the jobs ``keep`` (the synchronisations among them, the
        same caregivers, matrices and weights), and per new job index its index here.
        A group keeps only those of its jobs that are kept."""
        old_of = list(dict.fromkeys(keep))
        new_of = {old: new for new, old in enumerate(old_of)}
        part = Model(
            matrices=self.matrices,
            caregivers=list(self.caregivers),
            jobs=[self.jobs[j] for j in old_of],
            syncs=[
                Sync(new_of[s.first], new_of[s.second], s.min_gap, s.max_gap)
                for s in self.syncs
                if s.first in new_of and s.second in new_of
            ],
            weights=self.weights,
        )
        return part, old_of

    def evaluate(self, routes: Sequence[Sequence[int]]) -> Result:
        """Schedule and cost fixed routes (no search); infeasible routes raise ValueError."""
        return _result(beredt_core.evaluate(self._payload(), [list(r) for r in routes]))

    def _payload(self) -> dict[str, object]:
        size = len(self.matrices[0]) if self.matrices else 0
        for k, matrix in enumerate(self.matrices):
            if len(matrix) != size or any(len(row) != size for row in matrix):
                raise ValueError(f"matrix {k} is not {size}x{size}")
        return {
            "matrices": [[x for row in m for x in row] for m in self.matrices],
            "size": size,
            "caregivers": [
                (
                    c.start_location,
                    c.end_location,
                    c.shift_start,
                    c.shift_end,
                    c.max_work,
                    c.break_window is not None,
                    c.break_window[0] if c.break_window else 0.0,
                    c.break_window[1] if c.break_window else 0.0,
                    c.break_duration,
                    c.matrix,
                )
                for c in self.caregivers
            ],
            "jobs": [
                (
                    j.location,
                    j.duration,
                    j.earliest,
                    j.latest,
                    j.hard_latest,
                    j.penalty,
                    j.client,
                    j.group,
                    j.infectious,
                    list(j.eligible),
                    list(j.preference),
                    j.late_cost,
                )
                for j in self.jobs
            ],
            "syncs": [(s.first, s.second, s.min_gap, s.max_gap) for s in self.syncs],
            "weights": {
                "travel": self.weights.travel,
                "tardiness": self.weights.tardiness,
                "max_tardiness": self.weights.max_tardiness,
                "distinct_caregivers": self.weights.distinct_caregivers,
                "infection_crossing": self.weights.infection_crossing,
                "workload": self.weights.workload,
            },
        }


def _result(raw: dict[str, object]) -> Result:
    routes = tuple(
        Route(
            caregiver=int(r["caregiver"]),
            jobs=tuple(int(j) for j in r["jobs"]),
            break_start=None if r["break_start"] is None else float(r["break_start"]),
            start=float(r["start"]),
            end=float(r["end"]),
        )
        for r in raw["routes"]  # type: ignore[attr-defined]
    )
    return Result(
        routes=routes,
        starts=tuple(float(s) for s in raw["starts"]),  # type: ignore[attr-defined]
        unserved=tuple(int(j) for j in raw["unserved"]),  # type: ignore[attr-defined]
        cost=float(raw["cost"]),  # type: ignore[arg-type]
        components={k: float(v) for k, v in raw["components"].items()},  # type: ignore[attr-defined]
        iterations=int(raw["iterations"]),  # type: ignore[call-overload]
        seconds=float(raw["seconds"]),  # type: ignore[arg-type]
        stats=dict(raw.get("stats", {})),  # type: ignore[call-overload]
    )
