"""The HHCRSP scorer: every hard rule of the benchmark, and the published objective.

Hard rules (``shared/benchmarks/hhcrsp/README.md``):

- every required (patient, service) pair is served exactly once — both services of a
  double-service patient are checked, which the published validator does not do;
- by a known caregiver (with at most one route) who has the service among its abilities;
- at a known patient who requires that service;
- no earlier than the window start (starting after the window end is allowed: tardiness);
- ``departure_time = arrival_time + duration``;
- reachable: every route leaves the depot at time 0 (the instances give no working
  hours), and a visit starts no earlier than the previous departure plus the travel
  time; waiting is allowed;
- synchronisation: ``simultaneous`` services start at the same moment; for
  ``sequential`` the second listed service starts between min and max minutes after the
  first.

Every comparison allows :data:`EPS` minutes. The metrics are computed even for an
invalid solution (to help find what is wrong), but the benchmark gives an invalid
solution no cost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from beredt.benchmarks.hhcrsp.instance import Instance
from beredt.benchmarks.hhcrsp.solution import Solution

EPS = 1e-3
"""Tolerance in minutes (0.06 s) for every time comparison. It absorbs floating-point
noise (the Italian window bounds are stored as e.g. ``401.99999999999994``) and times
written with three decimals, like the published Mankowska solutions, while still far
below anything a plan could gain from."""

DEPOT = 0


@dataclass(frozen=True)
class Score:
    valid: bool
    violations: list[str] = field(default_factory=list)
    distance_traveled: float = 0.0
    total_tardiness: float = 0.0
    max_tardiness: float = 0.0
    total_cost: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "distance_traveled": self.distance_traveled,
            "total_tardiness": self.total_tardiness,
            "max_tardiness": self.max_tardiness,
            "total_cost": self.total_cost,
            "violations": list(self.violations),
        }


def objective(distance: float, total_tardiness: float, max_tardiness: float) -> float:
    """The benchmark's cost: the three terms with equal weight."""
    return (distance + total_tardiness + max_tardiness) / 3


def score(instance: Instance, solution: Solution) -> Score:
    """Check ``solution`` against every hard rule and compute the objective."""
    violations: list[str] = []
    served: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    tardiness: list[float] = []
    distance = 0.0
    routed: set[str] = set()

    for route in solution.routes:
        who = route.caregiver_id
        caregiver = instance.caregiver(who)
        if caregiver is None:
            violations.append(f"route of unknown caregiver {who}")
        elif who in routed:
            violations.append(f"caregiver {who} has more than one route")
        routed.add(who)
        here, here_name, free_at = DEPOT, "the depot", 0.0
        for visit in route.locations:
            what = f"{visit.patient_id}/{visit.service_id}"
            patient = instance.patient(visit.patient_id)
            if patient is None:
                violations.append(f"caregiver {who} visits unknown patient {visit.patient_id}")
                continue  # no place to travel to: check the next visit from the last known one
            index = instance.index_of(patient.id)
            travel = instance.distance(here, index)
            distance += travel
            start = visit.arrival_time
            if start < free_at + travel - EPS:
                violations.append(
                    f"caregiver {who} cannot start {what} at {_t(start)}: leaving {here_name} "
                    f"at {_t(free_at)} with {_t(travel)} min travel, the earliest is "
                    f"{_t(free_at + travel)}"
                )
            if caregiver is not None and visit.service_id not in caregiver.abilities:
                violations.append(f"caregiver {who} is not qualified for {what}")
            request = patient.request(visit.service_id)
            if request is None:
                violations.append(
                    f"caregiver {who} gives {what}, but patient {patient.id} does not "
                    f"require service {visit.service_id}"
                )
            else:
                opens, closes = patient.time_window
                if start < opens - EPS:
                    violations.append(
                        f"caregiver {who} starts {what} at {_t(start)}, "
                        f"before its window opens at {_t(opens)}"
                    )
                end = start + request.duration
                if abs(visit.departure_time - end) > EPS:
                    violations.append(
                        f"caregiver {who} leaves {what} at {_t(visit.departure_time)}, but it "
                        f"starts at {_t(start)} and lasts {_t(request.duration)} min"
                    )
                tardiness.append(max(0.0, start - closes))
                served[patient.id, request.service].append((who, start))
            here, here_name, free_at = index, patient.id, visit.departure_time
        distance += instance.distance(here, DEPOT)

    violations += _coverage_and_sync(instance, served)
    total, worst = sum(tardiness), max(tardiness, default=0.0)
    return Score(
        valid=not violations,
        violations=violations,
        distance_traveled=distance,
        total_tardiness=total,
        max_tardiness=worst,
        total_cost=objective(distance, total, worst),
    )


def _coverage_and_sync(
    instance: Instance, served: dict[tuple[str, str], list[tuple[str, float]]]
) -> list[str]:
    violations: list[str] = []
    for patient in instance.patients:
        starts: list[float] = []
        for request in patient.services:
            given = served.get((patient.id, request.service), [])
            what = f"{patient.id}/{request.service}"
            if not given:
                violations.append(f"{what} is not served")
            elif len(given) > 1:
                by = ", ".join(who for who, _ in given)
                violations.append(f"{what} is served {len(given)} times (by {by})")
            else:
                starts.append(given[0][1])
        sync = patient.synchronization
        if sync is None or len(starts) != 2:
            continue  # nothing to synchronise, or already reported as not served once
        first, second = patient.services[0].service, patient.services[1].service
        gap = starts[1] - starts[0]
        if sync.kind == "simultaneous" and abs(gap) > EPS:
            violations.append(
                f"{patient.id}: {first} and {second} must start together, "
                f"but start at {_t(starts[0])} and {_t(starts[1])}"
            )
        elif sync.kind == "sequential" and not (sync.min_gap - EPS <= gap <= sync.max_gap + EPS):
            violations.append(
                f"{patient.id}: {second} must start {_t(sync.min_gap)}-{_t(sync.max_gap)} "
                f"min after {first}, but starts {_t(gap)} min after it"
            )
    return violations


def _t(minutes: float) -> str:
    """Minutes for a message: ``401.99999999999994`` → ``402``, ``314.151`` → ``314.151``."""
    text = f"{minutes:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
