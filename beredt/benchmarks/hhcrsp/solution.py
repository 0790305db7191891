"""HHCRSP solutions in the published format.

The published files (``solutions/sol-<instance>-<seed>.json``) differ from the README in
two ways, and this module follows the files:

- a visit names its patient and service as ``patient`` and ``service`` (the README says
  ``patient_id`` / ``service_id``; both spellings are read, the published one is written);
- a caregiver without visits is listed with no ``locations`` key at all.

They also carry ``global_ordering`` (the solver's patient order, not needed to score),
which is kept so that a published file reads and writes back to the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beredt.benchmarks.hhcrsp.files import read_json, write_json
from beredt.domain.errors import InputError, Problem


@dataclass(frozen=True, slots=True)
class RouteLocation:
    """One service given (the format calls it a location): ``arrival_time`` is the
    service start, ``departure_time`` its end (start + duration), both in minutes from
    the start of the day."""

    patient_id: str
    service_id: str
    arrival_time: float
    departure_time: float


@dataclass(frozen=True, slots=True)
class Route:
    """A caregiver's day: from the depot through ``locations`` in order, back to the depot."""

    caregiver_id: str
    locations: tuple[RouteLocation, ...] = ()


@dataclass(frozen=True, slots=True)
class Solution:
    routes: tuple[Route, ...]
    global_ordering: tuple[str, ...] | None = None
    instance: str | None = None

    def visits(self) -> int:
        return sum(len(r.locations) for r in self.routes)


def read_solution(path: Path | str) -> Solution:
    """Read a solution (``.json`` or ``.json.gz``); :class:`InputError` names bad fields."""
    path = Path(path)
    return parse_solution(read_json(path), source=str(path))


def write_solution(solution: Solution, path: Path | str) -> None:
    """Write in the published shape (compact JSON, sorted keys; gzipped for ``.gz``)."""
    write_json(solution_to_json(solution), Path(path))


def solution_to_json(solution: Solution) -> dict[str, Any]:
    data: dict[str, Any] = {"routes": [_route_json(r) for r in solution.routes]}
    if solution.global_ordering is not None:
        data["global_ordering"] = list(solution.global_ordering)
    if solution.instance is not None:
        data["instance"] = solution.instance
    return data


def _route_json(route: Route) -> dict[str, Any]:
    data: dict[str, Any] = {"caregiver_id": route.caregiver_id}
    if route.locations:
        data["locations"] = [
            {
                "patient": v.patient_id,
                "service": v.service_id,
                "arrival_time": v.arrival_time,
                "departure_time": v.departure_time,
            }
            for v in route.locations
        ]
    return data


def parse_solution(data: Any, source: str = "solution") -> Solution:
    problems: list[Problem] = []

    def fail(path: str, message: str) -> None:
        problems.append(Problem(path, message))

    if not isinstance(data, dict):
        raise InputError(source, [Problem("", "the file must contain a JSON object")])
    routes: list[Route] = []
    raw_routes = data.get("routes")
    if not isinstance(raw_routes, list):
        fail("routes", "required list is missing" if raw_routes is None else "expected a list")
        raw_routes = []
    for i, raw in enumerate(raw_routes):
        path = f"routes[{i}]"
        if not isinstance(raw, dict):
            fail(path, "expected an object")
            continue
        caregiver = raw.get("caregiver_id")
        if not isinstance(caregiver, str) or not caregiver:
            fail(f"{path}.caregiver_id", "expected a non-empty string")
            continue
        raw_visits = raw.get("locations", [])
        if not isinstance(raw_visits, list):
            fail(f"{path}.locations", "expected a list")
            continue
        visits = [_visit(v, f"{path}.locations[{j}]", fail) for j, v in enumerate(raw_visits)]
        routes.append(Route(caregiver, tuple(v for v in visits if v is not None)))
    ordering = data.get("global_ordering")
    if ordering is not None and not (
        isinstance(ordering, list) and all(isinstance(p, str) for p in ordering)
    ):
        fail("global_ordering", "expected a list of patient ids")
        ordering = None
    instance = data.get("instance")
    if instance is not None and not isinstance(instance, str):
        fail("instance", "expected a string")
        instance = None
    if problems:
        raise InputError(source, problems)
    return Solution(
        tuple(routes),
        tuple(ordering) if ordering is not None else None,
        instance,
    )


def _visit(raw: Any, path: str, fail: Callable[[str, str], None]) -> RouteLocation | None:
    if not isinstance(raw, dict):
        fail(path, "expected an object")
        return None
    ids: list[str] = []
    for key in ("patient", "service"):
        value = raw.get(key, raw.get(f"{key}_id"))
        if not isinstance(value, str) or not value:
            fail(f"{path}.{key}", "expected a non-empty string")
        else:
            ids.append(value)
    times: list[float] = []
    for key in ("arrival_time", "departure_time"):
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            fail(f"{path}.{key}", "expected a number")
        else:
            times.append(float(value))
    if len(ids) < 2 or len(times) < 2:
        return None
    return RouteLocation(ids[0], ids[1], times[0], times[1])
