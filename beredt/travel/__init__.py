"""Travel times between places, by transport mode.

The planner and the plan checker both ask a :class:`TravelProvider`; the default is
:class:`HaversineTravel` (great-circle distance × detour factor at a speed per mode).
Road-network providers (OSRM, Valhalla over HTTP) implement the same protocol.
"""

from beredt.travel.providers import (
    DEFAULT_DETOUR_FACTOR,
    DEFAULT_SPEEDS_KMH,
    HaversineTravel,
    MatrixCache,
    Place,
    TravelProvider,
    client_place,
    haversine_km,
    office_place,
)

__all__ = [
    "DEFAULT_DETOUR_FACTOR",
    "DEFAULT_SPEEDS_KMH",
    "HaversineTravel",
    "MatrixCache",
    "Place",
    "TravelProvider",
    "client_place",
    "haversine_km",
    "office_place",
]
