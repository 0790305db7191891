"""Travel-time providers and a matrix cache."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from beredt.domain.model import Location, TransportMode

EARTH_RADIUS_KM = 6371.0088
DEFAULT_DETOUR_FACTOR = 1.35
"""Road distance over straight-line distance; 1.3-1.4 is typical for Norwegian suburbs."""

DEFAULT_SPEEDS_KMH: Mapping[TransportMode, float] = {
    TransportMode.CAR: 35.0,  # door to door in town incl. parking
    TransportMode.BIKE: 15.0,
    TransportMode.WALK: 4.5,
}


@dataclass(frozen=True, slots=True)
class Place:
    """A point a route passes: an office or a client's home. ``key`` identifies it for
    caching and for providers that work on their own ids (benchmark matrices)."""

    key: str
    location: Location


def haversine_km(a: Location, b: Location) -> float:
    """Great-circle distance in kilometres."""
    return _great_circle_km(_point(a), _point(b))


def _point(location: Location) -> tuple[float, float, float]:
    """Latitude and longitude in radians, and the cosine of the latitude."""
    lat = math.radians(location.lat)
    return lat, math.radians(location.lon), math.cos(lat)


def _great_circle_km(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """The haversine formula on two :func:`_point` s."""
    lat1, lon1, cos1 = a
    lat2, lon2, cos2 = b
    h = math.sin((lat2 - lat1) / 2) ** 2 + cos1 * cos2 * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


class TravelProvider(Protocol):
    """Whole minutes of travel from one place to another by a transport mode."""

    def minutes(self, origin: Place, destination: Place, mode: TransportMode) -> int: ...

    def matrix(self, places: Sequence[Place], mode: TransportMode) -> list[list[int]]: ...


class HaversineTravel:
    """Straight-line distance × detour factor at a constant speed per mode, rounded up
    to whole minutes. Zero between the same coordinates."""

    def __init__(
        self,
        detour_factor: float = DEFAULT_DETOUR_FACTOR,
        speeds_kmh: Mapping[TransportMode, float] | None = None,
    ) -> None:
        if detour_factor < 1:
            raise ValueError("detour_factor must be at least 1")
        self.detour_factor = detour_factor
        self.speeds_kmh = dict(speeds_kmh or DEFAULT_SPEEDS_KMH)
        if any(speed <= 0 for speed in self.speeds_kmh.values()):
            raise ValueError("speeds must be positive")

    def minutes(self, origin: Place, destination: Place, mode: TransportMode) -> int:
        return self._whole_minutes(haversine_km(origin.location, destination.location), mode)

    def _whole_minutes(self, straight_km: float, mode: TransportMode) -> int:
        km = straight_km * self.detour_factor
        return math.ceil(km / self.speeds_kmh[mode] * 60 - 1e-9)

    def matrix(self, places: Sequence[Place], mode: TransportMode) -> list[list[int]]:
        """The same minutes as :meth:`minutes` pair by pair, computed once per unordered
        pair (the distance is symmetric) with each place's trigonometry done once."""
        points = [_point(place.location) for place in places]
        size = len(places)
        rows = [[0] * size for _ in range(size)]
        for i in range(size):
            row = rows[i]
            for j in range(i + 1, size):
                km = _great_circle_km(points[i], points[j])
                row[j] = rows[j][i] = self._whole_minutes(km, mode)
        return rows


class MatrixCache:
    """Memoises another provider pair by pair (keyed on place keys and mode), so the
    planner and checker can ask freely without recomputing or re-querying a server."""

    def __init__(self, provider: TravelProvider) -> None:
        self.provider = provider
        self._cache: dict[tuple[str, str, TransportMode], int] = {}
        self._blocks: dict[TransportMode, list[tuple[dict[str, int], list[list[int]]]]] = {}
        """Whole matrices asked for, per mode: (place key → row, rows)."""

    def minutes(self, origin: Place, destination: Place, mode: TransportMode) -> int:
        key = (origin.key, destination.key, mode)
        value = self._cache.get(key)
        if value is None:
            for index, rows in self._blocks.get(mode, ()):
                i, j = index.get(origin.key), index.get(destination.key)
                if i is not None and j is not None:
                    value = rows[i][j]
                    break
            else:
                value = self.provider.minutes(origin, destination, mode)
            self._cache[key] = value
        return value

    def matrix(self, places: Sequence[Place], mode: TransportMode) -> list[list[int]]:
        keys = [place.key for place in places]
        for index, rows in self._blocks.get(mode, ()):
            if all(key in index for key in keys):
                at = [index[key] for key in keys]
                return [[rows[i][j] for j in at] for i in at]
        if all((a, b, mode) in self._cache for a in keys for b in keys):
            return [[self._cache[(a, b, mode)] for b in keys] for a in keys]
        full = self.provider.matrix(places, mode)
        self._blocks.setdefault(mode, []).append(({k: n for n, k in enumerate(keys)}, full))
        return [list(row) for row in full]

    def __len__(self) -> int:
        """Entries held: pairs asked one by one plus the cells of whole matrices."""
        return len(self._cache) + sum(
            len(index) ** 2 for blocks in self._blocks.values() for index, _ in blocks
        )


def client_place(client_id: str, location: Location) -> Place:
    return Place(f"client:{client_id}", location)


def office_place(unit_id: str, location: Location) -> Place:
    return Place(f"office:{unit_id}", location)
