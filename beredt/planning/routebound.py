"""A bound on class-1 care over whole caregiver routes (column generation).

The flow bound of :mod:`beredt.planning.capacity` splits visits over caregivers and
quarter-hours and charges each visit only the shortest trip to its home, so it cannot
see that the windows of a peak force routes to zig-zag, nor that a caregiver on foot
covers less ground than one in a car. This bound keeps both: it is the linear
programme over whole routes,

* one route per caregiver at most (caregivers alike in eligibility, transport, office
  and shift share one row that allows as many routes as there are of them);
* a route leaves the office at the shift start or later, starts each visit inside its
  window (waiting allowed), takes the break between two stops with its start in the
  break window, and is back by the shift end, travelling by the caregiver's own
  transport;
* each class-1 visit is given by at most as many routes as it needs caregivers;
* maximise the class-1 care minutes the routes give.

Everything a real plan does with its class-1 visits is such a set of routes: take each
caregiver's route and drop every visit that is not class-1 (travel times obey the
triangle inequality, so the rest only gets earlier). Dropped are what a real plan has
on top: synchronised starts of double-staffed visits, dependencies, maximum working
time and every non-class-1 visit. So the optimum of the linear programme is at least
what any plan keeps.

It is solved by column generation (HiGHS for the master programme, the compiled
labelling of :func:`beredt_core.price_routes` for the routes, as ng-routes, a superset
of the elementary routes). The search need not finish to prove something: whenever
every caregiver's pricing is exact, the Lagrangian bound (the master's optimum plus,
per caregiver group, the number of caregivers times the best route's reduced cost) is
an upper bound on the class-1 care any plan keeps. When it falls below the class-1 care
of the day, **no plan can keep all class-1 care**; ``missing_minutes`` says by how much
at least.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path

import highspy
import numpy as np
from beredt_core import price_routes

from beredt.domain.scenario import Scenario, Visit
from beredt.planning.day_model import Staff, staff_at_work
from beredt.planning.eligibility import ineligibility
from beredt.travel import MatrixCache, Place, client_place

ROUTE_BOUND_SECONDS = 60.0
"""Default time for one day's column generation."""
NG_NEIGHBOURS = 8
"""Visits each visit remembers in an ng-route (itself and its nearest others)."""
ROUTES_PER_PRICING = 10
"""Routes of positive reduced cost added per caregiver group and round."""
QUICK_LABELS = 200_000
EXACT_LABELS = 5_000_000
"""Labels per pricing: a round first prices with the smaller limit and, when that finds
no route, with the larger one; a pricing that hits its limit proves nothing that round."""
TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class RouteBound:
    """The route bound of one day's class-1 care."""

    day: dt.date
    care_minutes: int
    """Class-1 care minutes of the day (duration times the caregivers each visit needs)."""
    keepable_minutes: int
    """Proven: no plan keeps more class-1 care minutes in window than this (the day's
    care minutes when nothing below them was proven)."""
    relaxation_minutes: float
    """The master programme's optimum when the search stopped."""
    converged: bool
    """The root's column generation finished (its optimum is a bound)."""
    rounds: int
    """Column generation rounds at the root."""
    nodes: int
    """Branch-and-price nodes searched (1: the root alone)."""
    seconds: float
    peak: tuple[int, int] | None = None
    """Where the shortfall was proven: the class-1 visits whose window opens in this
    span of the day (minutes), or ``None`` for the whole day (:func:`day_route_bound`)."""

    @property
    def proves_shortfall(self) -> bool:
        return self.keepable_minutes < self.care_minutes

    @property
    def missing_minutes(self) -> int:
        """Class-1 care minutes that no plan can keep (at least)."""
        return self.care_minutes - self.keepable_minutes


@dataclass(frozen=True, slots=True)
class _Group:
    """Caregivers alike for the bound: the same visits, transport, office and shift."""

    count: int
    eligible: list[int]
    travel: list[list[int]]
    """Visits' homes, then the office (last), by the group's transport."""
    shift: tuple[int, int, bool, int, int, int]


PEAKS = ((0, 12 * 60), (12 * 60, 17 * 60), (17 * 60, 24 * 60))
"""Spans of the day (by when a visit's window opens) that :func:`day_route_bound`
branches on one at a time: morning, midday and evening care are given by different
shifts, and branching on the whole day would spend its nodes wherever a fraction
happens to be largest."""


def day_route_bound(
    scenario: Scenario,
    travel: MatrixCache,
    day: dt.date,
    visits: list[Visit] | None = None,
    *,
    seconds: float = ROUTE_BOUND_SECONDS,
    focus: Collection[int] = (),
    progress: Callable[[float], None] | None = None,
) -> RouteBound:
    """The route bound of ``day``: the whole day's relaxation (a quarter of the
    ``seconds`` at most, stopping at a proof), then, while nothing is proven, each of
    :data:`PEAKS` with branching, the one with the fewest class-1 visits first (the rest
    of the time shared out, what one peak leaves going to the next). Any subset of the
    class-1 visits is a valid relaxation of the day (dropping visits only frees time),
    so a shortfall proven for a peak is one of the day; the result reports the largest
    proven, and where. ``focus`` (minutes of the day, such as the window openings of the
    visits a plan left out) puts the peaks holding them first, and those share the time
    among themselves before any other peak gets any. ``progress`` is told the share of
    the ``seconds`` used after every round of column generation. ``visits`` (default:
    those due that day) limits the bound to those visits."""
    began = time.perf_counter()

    def on_round() -> None:
        if progress is not None:
            progress(min(1.0, (time.perf_counter() - began) / seconds))

    todo = visits if visits is not None else scenario.visits_on(day)
    whole = route_bound(
        scenario,
        travel,
        day,
        todo,
        seconds=seconds / 4,
        stop_when_proven=True,
        branch=False,
        on_round=on_round,
    )
    best, rounds, nodes = whole, whole.rounds, whole.nodes
    # The peaks a plan fell short in first, then the smallest: it is the one branching
    # is likeliest to finish.
    peaks = sorted(
        (
            (not any(span[0] <= t < span[1] for t in focus), len(peak), span, peak)
            for span in PEAKS
            if (peak := [v for v in todo if span[0] <= v.window.start < span[1]
                         and v.task.priority_class == 1])
        ),
        key=lambda peak: peak[:3],
    )  # fmt: skip
    focused = sum(1 for peak in peaks if not peak[0])
    for index, (_, _, span, peak_visits) in enumerate(peaks):
        left = seconds - (time.perf_counter() - began)
        if best.proves_shortfall or left <= 0:
            break
        share = left / (focused - index if index < focused else len(peaks) - index)
        found = route_bound(scenario, travel, day, peak_visits, seconds=share, on_round=on_round)
        rounds, nodes = rounds + found.rounds, nodes + found.nodes
        if found.missing_minutes > best.missing_minutes:
            best = replace(found, peak=span)
    return replace(
        best,
        care_minutes=whole.care_minutes,
        keepable_minutes=whole.care_minutes - best.missing_minutes,
        relaxation_minutes=whole.relaxation_minutes,
        converged=whole.converged,
        rounds=rounds,
        nodes=nodes,
        seconds=time.perf_counter() - began,
    )


def route_bound(
    scenario: Scenario,
    travel: MatrixCache,
    day: dt.date,
    visits: list[Visit] | None = None,
    *,
    seconds: float = ROUTE_BOUND_SECONDS,
    stop_when_proven: bool = False,
    branch: bool = True,
    on_round: Callable[[], None] | None = None,
) -> RouteBound:
    """The bound for ``day`` over the class-1 visits among ``visits`` (default: the
    visits due that day), searched for at most ``seconds``. With ``stop_when_proven``
    the column generation stops at the first proof of a shortfall instead of tightening
    it; with ``branch`` (default), a relaxation that keeps all class-1 care with
    fractional routes is branched on (:class:`_Search`) until it is proven that whole
    routes cannot, or they are found, or the time is up. ``on_round`` is called after
    every round of column generation."""
    began = time.perf_counter()
    todo = visits if visits is not None else scenario.visits_on(day)
    class1 = [v for v in todo if v.task.priority_class == 1]
    tolerance = scenario.rules.late_start_tolerance
    windows = [(v.window.start, v.window.end + tolerance, v.task.duration) for v in class1]
    parts: list[int] = [v.task.caregivers for v in class1]
    care = sum(d * p for (_, _, d), p in zip(windows, parts, strict=True))
    groups = _groups(scenario, travel, day, class1)
    if not care or not groups:
        return RouteBound(day, care, 0, 0.0, True, 0, 1, 0.0)
    search = _Search(windows, parts, groups, began + seconds, on_round)
    keepable, root, nodes = search.bound(stop_when_proven=stop_when_proven, branch=branch)
    return RouteBound(
        day, care, keepable, root.value, root.converged, root.rounds, nodes,
        time.perf_counter() - began,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Column:
    group: int
    route: tuple[int, ...]
    care: int
    arcs: frozenset[tuple[int, int]]
    """Office (index ``visits``) → first stop, stop → stop, last stop → office."""


@dataclass
class _Node:
    """What column generation found under one set of forbidden arcs."""

    bound: float
    """Proven: whole routes avoiding those arcs keep at most this much class-1 care."""
    value: float
    """The master's optimum when the search stopped."""
    converged: bool
    rounds: int
    columns: list[_Column]
    weights: list[float]
    """The master's solution, one weight per column."""


class _Search:
    """Column generation over one day's class-1 visits, and branching on its arcs."""

    def __init__(
        self,
        windows: list[tuple[int, int, int]],
        parts: list[int],
        groups: list[_Group],
        deadline: float,
        on_round: Callable[[], None] | None = None,
    ) -> None:
        self.windows, self.parts, self.groups, self.deadline = windows, parts, groups, deadline
        self.on_round = on_round
        self.visits = len(windows)
        self.care = sum(d * p for (_, _, d), p in zip(windows, parts, strict=True))
        self.ng = _neighbours(groups, self.visits)
        self.pool: list[_Column] = []

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def bound(self, *, stop_when_proven: bool, branch: bool) -> tuple[int, _Node, int]:
        """The class-1 care minutes whole routes keep at most (proven), the root node
        and the nodes searched."""
        root = self.node(frozenset(), stop_when_proven=stop_when_proven)
        keepable, nodes = root.bound, 1
        if branch and root.converged and root.bound >= self.care - TOLERANCE:
            proven, nodes = self.branch(root)
            if proven is not None:
                keepable = min(keepable, proven)
        return min(self.care, math.floor(keepable + TOLERANCE)), root, nodes

    def node(
        self,
        forbidden: frozenset[tuple[int, int]],
        banned: frozenset[tuple[int, int]] = frozenset(),
        *,
        stop_when_proven: bool,
    ) -> _Node:
        """Column generation with the pool's routes that avoid ``forbidden`` arcs and
        ``banned`` (group, visit) pairs, pricing new ones, until it converges, proves a
        shortfall (``stop_when_proven``, and always when branching) or runs out of
        time."""
        columns = [
            c
            for c in self.pool
            if not c.arcs & forbidden and not any((c.group, v) in banned for v in c.route)
        ]
        eligible = [
            [v for v in g.eligible if (k, v) not in banned] for k, g in enumerate(self.groups)
        ]
        master = _Master(self.parts, [g.count for g in self.groups])
        for column in columns:
            master.add(column)
        bound, labels, rounds, converged = float(self.care), QUICK_LABELS, 0, False
        arcs = sorted(forbidden)
        while self.left() > 0:
            rounds += 1
            prices, limits = master.prices()
            profit = [d - p for (_, _, d), p in zip(self.windows, prices, strict=True)]
            # The dual objective of these (non-negative) prices: with each group's best
            # reduced cost it bounds every plan, whether or not the prices are optimal.
            lagrangian = sum(p * n for p, n in zip(prices, self.parts, strict=True)) + sum(
                m * g.count for m, g in zip(limits, self.groups, strict=True)
            )
            added, exact = 0, True
            for g, group in enumerate(self.groups):
                best, routes = price_routes(
                    self.windows,
                    group.travel,
                    group.shift,
                    eligible[g],
                    profit,
                    self.ng,
                    limits[g] + TOLERANCE,
                    ROUTES_PER_PRICING,
                    labels,
                    max(0.0, self.left()),
                    arcs,
                )
                if best < 0:
                    exact = False
                else:
                    lagrangian += group.count * max(0.0, best - limits[g])
                for _, route in routes:
                    column = self._column(g, route)
                    self.pool.append(column)
                    columns.append(column)
                    master.add(column)
                    added += 1
            if exact:
                bound = min(bound, lagrangian)
            if self.on_round is not None:
                self.on_round()
            if (stop_when_proven or forbidden or banned) and bound < self.care - TOLERANCE:
                break
            if not added:
                if exact:
                    converged = True
                    break
                if labels == EXACT_LABELS:
                    break  # the pricing is too large to finish: stop with what is proven
                labels = EXACT_LABELS
            else:
                labels = QUICK_LABELS
        value, weights = master.optimum()
        if converged:
            bound = min(bound, value)
        return _Node(bound, value, converged, rounds, columns, weights)

    def branch(self, root: _Node) -> tuple[float | None, int]:
        """Depth-first branching from ``root``. First on who gives a visit: where the
        relaxation splits a single-caregiver visit between caregiver groups, one side
        bans it from one group, the other from every other group (each plan lies on one
        side, whether it keeps the visit or not). When no visit is split, on arcs: one
        side forbids an arc the relaxation uses fractionally, the other every other way
        out of its start and into its end. Returns the largest bound over the leaves if
        every leaf falls short of all class-1 care (a proof that whole routes cannot
        keep it all), else ``None`` (whole routes found, nothing to branch on, or out of
        time), and the nodes searched."""
        none = frozenset[tuple[int, int]]()
        stack = [(none, none, root)]
        nodes, proven = 1, 0.0
        while stack:
            forbidden, banned, node = stack.pop()
            if node.bound < self.care - TOLERANCE:
                proven = max(proven, node.bound)
                continue
            if not node.converged:
                return None, nodes
            children: tuple[tuple[frozenset[tuple[int, int]], frozenset[tuple[int, int]]], ...]
            split = self._split_visit(node)
            if split is not None:
                group, visit = split
                others = {(g, visit) for g in range(len(self.groups)) if g != group}
                children = ((forbidden, banned | {split}), (forbidden, banned | others))
            elif (arc := self._fractional_arc(node)) is not None:
                children = (
                    (forbidden | {arc}, banned),
                    (forbidden | self._other_ways(arc), banned),
                )
            else:
                return None, nodes  # whole routes keep it all, or nothing to branch on
            for child_arcs, child_bans in children:
                if self.left() <= 0:
                    return None, nodes
                nodes += 1
                child = self.node(child_arcs, child_bans, stop_when_proven=True)
                stack.append((child_arcs, child_bans, child))
        return proven, nodes

    def _split_visit(self, node: _Node) -> tuple[int, int] | None:
        """Among single-caregiver visits the relaxation gives partly by one group and
        partly by another, the (group, visit) whose share is nearest one half. Both
        sides of the branch then cut off the relaxation's solution (each bans a group
        that gives part of the visit)."""
        share: dict[tuple[int, int], float] = {}
        for column, weight in zip(node.columns, node.weights, strict=True):
            if weight > TOLERANCE:
                for v in set(column.route):
                    if self.parts[v] == 1:
                        share[(column.group, v)] = share.get((column.group, v), 0.0) + weight
        givers = Counter(v for (_, v), x in share.items() if x > TOLERANCE)
        fractions = [
            (min(x, 1 - x), pair)
            for pair, x in share.items()
            if TOLERANCE < x < 1 - TOLERANCE and givers[pair[1]] > 1
        ]
        return max(fractions)[1] if fractions else None

    def _column(self, group: int, route: list[int]) -> _Column:
        stops = [self.visits, *route, self.visits]
        return _Column(
            group,
            tuple(route),
            sum(self.windows[i][2] for i in route),
            frozenset(itertools.pairwise(stops)),
        )

    def _fractional_arc(self, node: _Node) -> tuple[int, int] | None:
        """The arc whose flow is nearest one half, among arcs whose ends are visits of
        one caregiver (or the office): in whole routes each such visit has exactly one
        predecessor and one successor, so forcing an arc may forbid the others."""
        flow: dict[tuple[int, int], float] = {}
        for column, weight in zip(node.columns, node.weights, strict=True):
            if weight > TOLERANCE:
                for arc in column.arcs:
                    flow[arc] = flow.get(arc, 0.0) + weight
        single = {*(i for i, p in enumerate(self.parts) if p == 1), self.visits}

        def branchable(arc: tuple[int, int]) -> bool:
            i, j = arc
            return i in single and j in single and i != j

        fractions = [
            (abs(x - round(x)), arc)
            for arc, x in flow.items()
            if abs(x - round(x)) > TOLERANCE and branchable(arc)
        ]
        return max(fractions)[1] if fractions else None

    def _other_ways(self, arc: tuple[int, int]) -> frozenset[tuple[int, int]]:
        """Every arc out of ``arc``'s start but ``arc``, and into its end but ``arc``
        (the office has many routes leaving and coming back: its side is left open)."""
        i, j = arc
        office = self.visits
        ends = range(self.visits + 1)
        out = {(i, k) for k in ends if k not in (i, j)} if i != office else set()
        into = {(k, j) for k in ends if k not in (i, j)} if j != office else set()
        return frozenset(out | into)


def _groups(
    scenario: Scenario, travel: MatrixCache, day: dt.date, class1: list[Visit]
) -> list[_Group]:
    """The staff at work who may give some of the class-1 care, grouped."""
    homes: list[Place] = [client_place(v.client.id, v.client.location) for v in class1]
    alike: dict[tuple[object, ...], list[tuple[Staff, list[int]]]] = {}
    for member in staff_at_work(scenario, day):
        eligible = [
            i
            for i, visit in enumerate(class1)
            if ineligibility(scenario, member.caregiver, visit, day) is None
        ]
        if eligible:
            shift = member.shift
            key = (tuple(eligible), member.caregiver.transport, member.office.key, shift)
            alike.setdefault(key, []).append((member, eligible))
    groups = []
    for members in alike.values():
        member, eligible = members[0]
        rule = member.shift.break_
        groups.append(
            _Group(
                count=len(members),
                eligible=eligible,
                travel=travel.matrix([*homes, member.office], member.caregiver.transport),
                shift=(
                    member.shift.start,
                    member.shift.end,
                    rule is not None,
                    rule.window.start if rule else 0,
                    rule.window.end if rule else 0,
                    rule.duration if rule else 0,
                ),
            )
        )
    return groups


def _neighbours(groups: list[_Group], n: int) -> list[list[int]]:
    """Each visit, then its nearest others (by the first group's travel; any choice
    keeps the bound valid, near ones make it tighter)."""
    matrix = groups[0].travel
    nearest = [
        sorted((j for j in range(n) if j != i), key=lambda j: (matrix[i][j], j)) for i in range(n)
    ]
    return [[i, *nearest[i][: NG_NEIGHBOURS - 1]] for i in range(n)]


class _Master:
    """max Σ care(r)·λ_r  s.t.  Σ_r a_ir λ_r ≤ parts_i,  Σ_{r of group g} λ_r ≤ count_g,
    λ ≥ 0; solved by HiGHS as the minimisation of the negated care."""

    def __init__(self, parts: list[int], counts: list[int]) -> None:
        self.visits = len(parts)
        self.highs = _quiet_highs()
        upper = np.array([float(p) for p in parts] + [float(c) for c in counts])
        empty_int = np.array([], dtype=np.int32)
        self.highs.addRows(
            len(upper), np.full(len(upper), -highspy.kHighsInf), upper, 0,
            empty_int, empty_int, np.array([], dtype=np.float64),
        )  # fmt: skip
        self.routes = 0

    def add(self, column: _Column) -> None:
        times = Counter(column.route)
        rows = sorted(times)
        index = np.array([*rows, self.visits + column.group], dtype=np.int32)
        value = np.array([float(times[i]) for i in rows] + [1.0])
        self.highs.addCol(-float(column.care), 0.0, highspy.kHighsInf, len(index), index, value)
        self.routes += 1

    def optimum(self) -> tuple[float, list[float]]:
        """The optimum (care minutes) and the weight of each column, in the order added."""
        if not self.routes:
            return 0.0, []
        self._run()
        return -self.highs.getInfo().objective_function_value, list(
            self.highs.getSolution().col_value
        )

    def prices(self) -> tuple[list[float], list[float]]:
        """The optimum's duals (≥ 0): per visit, per group."""
        rows = self.highs.getNumRow()
        if not self.routes:
            return [0.0] * self.visits, [0.0] * (rows - self.visits)
        self._run()
        duals = self.highs.getSolution().row_dual
        prices = [max(0.0, -duals[i]) for i in range(rows)]
        return prices[: self.visits], prices[self.visits :]

    def _run(self) -> None:
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"the route bound's master programme ended with {status}")


def _quiet_highs() -> highspy.Highs:
    """A HiGHS instance that prints nothing. highspy's constructor turns on callbacks
    before any option can be set, and that prints HiGHS' banner on standard output
    (ERGO-Code/HiGHS#1702, #2749); the banner would land in the middle of a benchmark
    table, so standard output is closed for the constructor only."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with Path(os.devnull).open("w") as null:
            os.dup2(null.fileno(), 1)
            highs = highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    return highs
