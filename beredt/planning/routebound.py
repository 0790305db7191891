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
import math
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
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
    """The column generation finished (the relaxation's optimum is the bound)."""
    rounds: int
    seconds: float

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


def route_bound(
    scenario: Scenario,
    travel: MatrixCache,
    day: dt.date,
    visits: list[Visit] | None = None,
    *,
    seconds: float = ROUTE_BOUND_SECONDS,
    stop_when_proven: bool = False,
) -> RouteBound:
    """The bound for ``day`` over ``visits`` (default: the visits due that day), searched
    for at most ``seconds``; with ``stop_when_proven`` it stops at the first proof of a
    shortfall instead of tightening it."""
    began = time.perf_counter()
    todo = visits if visits is not None else scenario.visits_on(day)
    class1 = [v for v in todo if v.task.priority_class == 1]
    tolerance = scenario.rules.late_start_tolerance
    windows = [(v.window.start, v.window.end + tolerance, v.task.duration) for v in class1]
    parts: list[int] = [v.task.caregivers for v in class1]
    care = sum(d * p for (_, _, d), p in zip(windows, parts, strict=True))
    groups = _groups(scenario, travel, day, class1)
    if not care or not groups:
        return RouteBound(day, care, 0, 0.0, True, 0, 0.0)
    ng = _neighbours(groups, len(class1))
    master = _Master(parts, [g.count for g in groups])
    keepable = float(care)
    labels, rounds, converged = QUICK_LABELS, 0, False
    while time.perf_counter() - began < seconds:
        rounds += 1
        _, prices, limits = master.solve()
        profit = [d - p for (_, _, d), p in zip(windows, prices, strict=True)]
        # The dual objective of these (non-negative) prices: with the best reduced cost
        # of each group it bounds every plan, whether or not the prices are optimal.
        lagrangian = sum(p * n for p, n in zip(prices, parts, strict=True)) + sum(
            m * g.count for m, g in zip(limits, groups, strict=True)
        )
        added, exact = 0, True
        for g, group in enumerate(groups):
            best, routes = price_routes(
                windows,
                group.travel,
                group.shift,
                group.eligible,
                profit,
                ng,
                limits[g] + TOLERANCE,
                ROUTES_PER_PRICING,
                labels,
                max(0.0, seconds - (time.perf_counter() - began)),
            )
            if best < 0:
                exact = False
            else:
                lagrangian += group.count * max(0.0, best - limits[g])
            for _, route in routes:
                master.add_route(g, route, sum(windows[i][2] for i in route))
                added += 1
        if exact:
            keepable = min(keepable, lagrangian)
        if stop_when_proven and keepable < care - TOLERANCE:
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
    relaxation = master.solve()[0] if rounds else 0.0
    proven = min(care, math.floor(keepable + TOLERANCE))
    return RouteBound(day, care, proven, relaxation, converged, rounds, time.perf_counter() - began)


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

    def add_route(self, group: int, route: list[int], care: int) -> None:
        times = Counter(route)
        rows = sorted(times)
        index = np.array([*rows, self.visits + group], dtype=np.int32)
        value = np.array([float(times[i]) for i in rows] + [1.0])
        self.highs.addCol(-float(care), 0.0, highspy.kHighsInf, len(index), index, value)
        self.routes += 1

    def solve(self) -> tuple[float, list[float], list[float]]:
        """The optimum (care minutes) and the duals: per visit, per group (≥ 0)."""
        rows = self.highs.getNumRow()
        if not self.routes:
            return 0.0, [0.0] * self.visits, [0.0] * (rows - self.visits)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"the route bound's master programme ended with {status}")
        duals = self.highs.getSolution().row_dual
        value = -self.highs.getInfo().objective_function_value
        prices = [max(0.0, -duals[i]) for i in range(rows)]
        return value, prices[: self.visits], prices[self.visits :]


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
