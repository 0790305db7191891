"""HHCRSP instances (Mankowska et al. 2014 and the Italian city set of Ceschia et al.).

The format is described in ``shared/benchmarks/hhcrsp/README.md``. Both published
families use the same fields; what differs between them:

- Mankowska: Euclidean distances with three decimals, symmetric; locations are planar
  ``[x, y]``; every duration equals the service's default duration.
- Italian: road travel times in whole minutes, asymmetric; locations are ``[lon, lat]``;
  durations vary per patient; extra top-level fields ``name`` (the city) and ``area``
  (a bounding box), which are not needed for routing and are ignored. Window bounds carry
  floating-point noise (``401.99999999999994`` for minute 402).

Neither family gives caregivers working hours: a route leaves the depot at time 0 and
may return at any time. Files with fields that would change the rules and that this
reader does not implement (``working_shift``, ``incompatible_caregivers``) are refused
rather than silently misread.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from beredt.benchmarks.hhcrsp.files import file_stem, read_json
from beredt.domain.errors import InputError, Problem

SyncKind = Literal["simultaneous", "sequential"]
UNSUPPORTED_FIELDS = ("working_shift", "incompatible_caregivers")


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    """One service a patient needs; ``duration`` already falls back to the service's
    ``default_duration`` when the patient gives none."""

    service: str
    duration: float


@dataclass(frozen=True, slots=True)
class Sync:
    """How the two services of a double-service patient are tied: the second listed
    service starts between ``min_gap`` and ``max_gap`` minutes after the first
    (``simultaneous`` is the gap 0..0)."""

    kind: SyncKind
    min_gap: float
    max_gap: float


SIMULTANEOUS = Sync("simultaneous", 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Patient:
    """A patient; ``location`` is as given in the file (``[x, y]`` for Mankowska,
    ``[lon, lat]`` for the Italian cities). ``time_window`` is (earliest, latest) start
    in minutes; starting after ``latest`` is allowed and counts as tardiness."""

    id: str
    location: tuple[float, float] | None
    time_window: tuple[float, float]
    services: tuple[ServiceRequest, ...]
    synchronization: Sync | None

    def request(self, service: str) -> ServiceRequest | None:
        return next((r for r in self.services if r.service == service), None)


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    default_duration: float | None


@dataclass(frozen=True, slots=True)
class Caregiver:
    id: str
    abilities: frozenset[str]


@dataclass(frozen=True)
class Instance:
    """A whole instance. ``distances`` is the square travel-time matrix in the order
    depot, p1 … pn (patients as listed): see :meth:`index_of`."""

    name: str
    patients: tuple[Patient, ...]
    services: tuple[Service, ...]
    caregivers: tuple[Caregiver, ...]
    depot_id: str
    distances: list[list[float]]
    depot_location: tuple[float, float] | None = None
    _patients: dict[str, tuple[int, Patient]] = field(init=False, repr=False, compare=False)
    _caregivers: dict[str, Caregiver] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        patients = {p.id: (i + 1, p) for i, p in enumerate(self.patients)}
        object.__setattr__(self, "_patients", patients)
        object.__setattr__(self, "_caregivers", {c.id: c for c in self.caregivers})

    def index_of(self, patient_id: str) -> int:
        """Matrix index of a patient: the depot is 0, the i-th listed patient is i."""
        return self._patients[patient_id][0]

    def distance(self, a_index: int, b_index: int) -> float:
        """Travel time (= distance) from matrix index ``a_index`` to ``b_index``."""
        return self.distances[a_index][b_index]

    def patient(self, patient_id: str) -> Patient | None:
        entry = self._patients.get(patient_id)
        return entry[1] if entry else None

    def caregiver(self, caregiver_id: str) -> Caregiver | None:
        return self._caregivers.get(caregiver_id)

    def required(self) -> Iterator[tuple[Patient, ServiceRequest]]:
        """Every (patient, service) pair a solution must serve exactly once."""
        for patient in self.patients:
            for request in patient.services:
                yield patient, request

    @property
    def service_count(self) -> int:
        return sum(len(p.services) for p in self.patients)


def read_instance(path: Path | str) -> Instance:
    """Read an instance (``.json`` or ``.json.gz``); its name is the file name without
    the suffixes. Raises :class:`InputError` naming every malformed field."""
    path = Path(path)
    return parse_instance(read_json(path), file_stem(path), source=str(path))


def parse_instance(data: Any, name: str, source: str = "instance") -> Instance:
    parser = _Parser()
    instance = parser.instance(data, name)
    if parser.problems or instance is None:
        raise InputError(source, parser.problems or [Problem("", "not a valid instance")])
    return instance


class _Parser:
    """Collects every problem with its place in the file instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # ---------------------------------------------------------------- scalars

    def obj(self, value: Any, path: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.fail(path, "expected an object" if value is not None else "required field is missing")
        return None

    def array(self, value: Any, path: str) -> list[Any] | None:
        if isinstance(value, list):
            return value
        self.fail(path, "expected a list" if value is not None else "required field is missing")
        return None

    def text(self, value: Any, path: str) -> str | None:
        if isinstance(value, str) and value:
            return value
        self.fail(path, "expected a non-empty string" if value is not None else "required")
        return None

    def number(self, value: Any, path: str, minimum: float | None = None) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, "expected a number" if value is not None else "required")
            return None
        number = float(value)
        if not math.isfinite(number):
            self.fail(path, f"expected a finite number, got {value}")
            return None
        if minimum is not None and number < minimum:
            self.fail(path, f"must be at least {minimum:g}, got {value}")
            return None
        return number

    def pair(self, value: Any, path: str) -> tuple[float, float] | None:
        items = self.array(value, path)
        if items is None:
            return None
        if len(items) != 2:
            self.fail(path, f"expected two numbers, got {len(items)} values")
            return None
        a, b = self.number(items[0], f"{path}[0]"), self.number(items[1], f"{path}[1]")
        return (a, b) if a is not None and b is not None else None

    def unique_ids(self, items: list[tuple[str, str]], what: str) -> None:
        seen: set[str] = set()
        for path, id_ in items:
            if id_ in seen:
                self.fail(f"{path}.id", f"{what} id {id_!r} is used twice")
            seen.add(id_)

    # ---------------------------------------------------------------- structure

    def instance(self, data: Any, name: str) -> Instance | None:
        root = self.obj(data, "")
        if root is None:
            return None
        services = self.services(root.get("services"))
        known = {s.id: s for s in services}
        caregivers = self.caregivers(root.get("caregivers"), known)
        patients = self.patients(root.get("patients"), known)
        depot = self.depot(root.get("central_offices"))
        distances = self.distances(root.get("distances"), len(patients) + 1)
        if self.problems or depot is None or distances is None:
            return None
        return Instance(
            name=name,
            patients=tuple(patients),
            services=tuple(services),
            caregivers=tuple(caregivers),
            depot_id=depot[0],
            distances=distances,
            depot_location=depot[1],
        )

    def services(self, value: Any) -> list[Service]:
        result: list[Service] = []
        for i, item in enumerate(self.array(value, "services") or []):
            path = f"services[{i}]"
            entry = self.obj(item, path)
            if entry is None:
                continue
            id_ = self.text(entry.get("id"), f"{path}.id")
            default = entry.get("default_duration")
            duration = (
                None if default is None else self.number(default, f"{path}.default_duration", 0)
            )
            if id_ is not None:
                result.append(Service(id_, duration))
        self.unique_ids([(f"services[{i}]", s.id) for i, s in enumerate(result)], "service")
        return result

    def caregivers(self, value: Any, services: dict[str, Service]) -> list[Caregiver]:
        result: list[tuple[str, Caregiver]] = []
        for i, item in enumerate(self.array(value, "caregivers") or []):
            path = f"caregivers[{i}]"
            entry = self.obj(item, path)
            if entry is None:
                continue
            self.unsupported(entry, path)
            id_ = self.text(entry.get("id"), f"{path}.id")
            abilities: set[str] = set()
            for j, ability in enumerate(
                self.array(entry.get("abilities"), f"{path}.abilities") or []
            ):
                here = f"{path}.abilities[{j}]"
                service = self.text(ability, here)
                if service is not None and services and service not in services:
                    self.fail(here, f"unknown service {service!r}")
                elif service is not None:
                    abilities.add(service)
            if id_ is not None:
                result.append((path, Caregiver(id_, frozenset(abilities))))
        self.unique_ids([(path, c.id) for path, c in result], "caregiver")
        return [c for _, c in result]

    def patients(self, value: Any, services: dict[str, Service]) -> list[Patient]:
        result: list[tuple[str, Patient]] = []
        for i, item in enumerate(self.array(value, "patients") or []):
            patient = self.patient(item, f"patients[{i}]", services)
            if patient is not None:
                result.append((f"patients[{i}]", patient))
        self.unique_ids([(path, p.id) for path, p in result], "patient")
        return [p for _, p in result]

    def patient(self, item: Any, path: str, services: dict[str, Service]) -> Patient | None:
        before = len(self.problems)
        entry = self.obj(item, path)
        if entry is None:
            return None
        self.unsupported(entry, path)
        id_ = self.text(entry.get("id"), f"{path}.id")
        location = None
        if entry.get("location") is not None:
            location = self.pair(entry["location"], f"{path}.location")
        window: tuple[float, float] | None = (0.0, math.inf)
        if entry.get("time_window") is not None:
            window = self.pair(entry["time_window"], f"{path}.time_window")
            if window is not None and window[0] > window[1]:
                self.fail(f"{path}.time_window", f"start {window[0]:g} is after end {window[1]:g}")
        key = "required_services" if "required_services" in entry else "required_caregivers"
        requests = self.requests(entry.get(key), f"{path}.{key}", services)
        sync = self.sync(entry.get("synchronization"), f"{path}.synchronization", len(requests))
        if id_ is None or window is None or len(self.problems) > before:
            return None
        return Patient(id_, location, window, tuple(requests), sync)

    def requests(self, value: Any, path: str, services: dict[str, Service]) -> list[ServiceRequest]:
        items = self.array(value, path)
        if items is None:
            return []
        if not 1 <= len(items) <= 2:
            self.fail(path, f"expected one or two services, got {len(items)}")
            return []
        result: list[ServiceRequest] = []
        for j, item in enumerate(items):
            here = f"{path}[{j}]"
            entry = self.obj(item, here)
            if entry is None:
                continue
            service_id = self.text(entry.get("service"), f"{here}.service")
            if service_id is None:
                continue
            service = services.get(service_id)
            if service is None:
                self.fail(f"{here}.service", f"unknown service {service_id!r}")
                continue
            if any(r.service == service_id for r in result):
                self.fail(f"{here}.service", f"service {service_id!r} is listed twice")
                continue
            if entry.get("duration") is not None:
                duration = self.number(entry["duration"], f"{here}.duration", 0)
            elif service.default_duration is not None:
                duration = service.default_duration
            else:
                self.fail(
                    f"{here}.duration",
                    f"missing, and service {service_id!r} has no default_duration",
                )
                continue
            if duration is not None:
                result.append(ServiceRequest(service_id, duration))
        return result

    def sync(self, value: Any, path: str, services: int) -> Sync | None:
        if value is None:
            if services == 2:
                self.fail(path, "required for a patient with two services")
            return None
        entry = self.obj(value, path)
        if entry is None:
            return None
        if services != 2:
            self.fail(path, "only a patient with two services can be synchronised")
            return None
        kind = entry.get("type")
        if kind == "simultaneous":
            return SIMULTANEOUS
        if kind == "sequential":
            gap = self.pair(entry.get("distance"), f"{path}.distance")
            if gap is None:
                return None
            if gap[0] > gap[1]:
                self.fail(f"{path}.distance", f"min {gap[0]:g} is above max {gap[1]:g}")
                return None
            return Sync("sequential", gap[0], gap[1])
        self.fail(f"{path}.type", f"expected 'simultaneous' or 'sequential', got {kind!r}")
        return None

    def depot(self, value: Any) -> tuple[str, tuple[float, float] | None] | None:
        offices = self.array(value, "central_offices")
        if offices is None:
            return None
        if len(offices) != 1:
            self.fail("central_offices", f"expected exactly one depot, got {len(offices)}")
            return None
        entry = self.obj(offices[0], "central_offices[0]")
        if entry is None:
            return None
        id_ = self.text(entry.get("id"), "central_offices[0].id")
        location = None
        if entry.get("location") is not None:
            location = self.pair(entry["location"], "central_offices[0].location")
        return (id_, location) if id_ is not None else None

    def distances(self, value: Any, size: int) -> list[list[float]] | None:
        rows = self.array(value, "distances")
        if rows is None:
            return None
        if len(rows) != size:
            self.fail("distances", f"expected {size} rows (depot + patients), got {len(rows)}")
            return None
        matrix: list[list[float]] = []
        for i, row in enumerate(rows):
            if not isinstance(row, list) or len(row) != size:
                got = f"{len(row)} values" if isinstance(row, list) else repr(row)
                self.fail(f"distances[{i}]", f"expected a row of {size} numbers, got {got}")
                return None
            # One pass over the whole row first: the big matrices have ~140 000 entries.
            if not all(type(x) in (int, float) and 0 <= x < math.inf for x in row):
                j = next(j for j, x in enumerate(row) if not _is_distance(x))
                self.fail(f"distances[{i}][{j}]", f"expected a non-negative number, got {row[j]!r}")
                return None
            matrix.append([float(x) for x in row])
        return matrix

    def unsupported(self, entry: dict[str, Any], path: str) -> None:
        for key in UNSUPPORTED_FIELDS:
            if key in entry:
                self.fail(
                    f"{path}.{key}", "not supported by this reader (it would change the rules)"
                )


def _is_distance(value: Any) -> bool:
    return type(value) in (int, float) and 0 <= value < math.inf
