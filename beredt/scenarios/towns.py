"""Real Norwegian towns for synthetic municipalities: kommunenummer (2024 numbering,
after the Viken and Troms og Finnmark splits) and settlements with approximate centre
coordinates and their main postcode."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from beredt.domain.model import Location


@dataclass(frozen=True)
class Area:
    """A settlement in a town. Client homes cluster around it; a unit's office sits in it.

    Coordinates are approximate settlement centres; postcodes are the settlement's
    main postcode (one per area, not per street)."""

    slug: str
    name: str
    postcode: str
    place: str
    lat: float
    lon: float
    spread_km: float
    weight: float

    @property
    def location(self) -> Location:
        return Location(lat=self.lat, lon=self.lon)


@dataclass(frozen=True)
class Town:
    """A municipality with its settlements. ``areas[0]`` is the town centre; the order
    of the others is the order in which they get a unit office of their own, chosen so
    that the offices spread over the municipality.

    ``land_bearings`` are compass sectors (degrees clockwise from north, ``start`` may
    exceed 360) in which land lies near the centre; scattered rural homes are placed
    only there, so that few of them fall in the fjord."""

    key: str
    name: str
    code: str
    areas: tuple[Area, ...]
    land_bearings: tuple[tuple[int, int], ...]

    @property
    def centre(self) -> Location:
        return self.areas[0].location


# Area(slug, name, postcode, postal place, lat, lon, spread_km, share of clients)
# fmt: off
TOWNS: dict[str, Town] = {
    "asker": Town("asker", "Asker", "3203", (
        Area("asker-sentrum", "Asker sentrum", "1384", "Asker", 59.8333, 10.4352, 1.0, 0.38),
        Area("royken", "Røyken", "3440", "Røyken", 59.7478, 10.3894, 0.9, 0.14),
        Area("nesbru", "Nesbru og Billingstad", "1394", "Nesbru", 59.8590, 10.4900, 0.9, 0.16),
        Area("heggedal", "Heggedal", "1389", "Heggedal", 59.7866, 10.4418, 0.8, 0.12),
        Area("slemmestad", "Slemmestad", "3470", "Slemmestad", 59.7822, 10.4950, 0.7, 0.10),
        Area("vollen", "Vollen", "1390", "Vollen", 59.7968, 10.4834, 0.7, 0.10),
    ), ((180, 360),)),
    "baerum": Town("baerum", "Bærum", "3201", (
        Area("sandvika", "Sandvika", "1337", "Sandvika", 59.8890, 10.5240, 1.0, 0.34),
        Area("bekkestua", "Bekkestua", "1357", "Bekkestua", 59.9178, 10.5873, 0.9, 0.20),
        Area("baerums-verk", "Bærums Verk", "1353", "Bærums Verk", 59.9461, 10.5037, 0.8, 0.16),
        Area("stabekk", "Stabekk", "1369", "Stabekk", 59.9080, 10.6120, 0.8, 0.16),
        Area("rud", "Rud", "1309", "Rud", 59.9078, 10.4899, 0.8, 0.14),
    ), ((260, 460),)),
    "drammen": Town("drammen", "Drammen", "3301", (
        Area("bragernes", "Bragernes", "3017", "Drammen", 59.7441, 10.2045, 1.0, 0.32),
        Area("mjondalen", "Mjøndalen", "3050", "Mjøndalen", 59.7509, 10.0197, 0.8, 0.15),
        Area("konnerud", "Konnerud", "3040", "Drammen", 59.7236, 10.1483, 0.9, 0.15),
        Area("assiden", "Åssiden", "3036", "Drammen", 59.7618, 10.1497, 0.8, 0.18),
        Area("stromso", "Strømsø", "3015", "Drammen", 59.7393, 10.2065, 0.8, 0.20),
    ), ((170, 460),)),
    "tromso": Town("tromso", "Tromsø", "5501", (
        Area("tromso-sentrum", "Tromsø sentrum", "9008", "Tromsø", 69.6489, 18.9450, 0.7, 0.36),
        Area("kvaloysletta", "Kvaløysletta", "9100", "Kvaløysletta", 69.6958, 18.8767, 0.8, 0.14),
        Area("tromsdalen", "Tromsdalen", "9020", "Tromsdalen", 69.6420, 18.9900, 0.8, 0.18),
        Area("tromsoya-nord", "Tromsøya nord", "9016", "Tromsø", 69.6880, 18.9400, 0.8, 0.20),
        Area("kroken", "Kroken", "9022", "Krokelvdalen", 69.6903, 19.0785, 0.7, 0.12),
    ), ((30, 120), (240, 320))),
    "bodo": Town("bodo", "Bodø", "1804", (
        Area("bodo-sentrum", "Bodø sentrum", "8006", "Bodø", 67.2827, 14.3751, 0.8, 0.38),
        Area("morkved", "Mørkved", "8028", "Bodø", 67.2820, 14.5590, 0.8, 0.20),
        Area("hunstad", "Hunstad", "8022", "Bodø", 67.2836, 14.4930, 0.8, 0.20),
        Area("ronvik", "Rønvik", "8012", "Bodø", 67.2930, 14.4250, 0.8, 0.22),
    ), ((50, 130),)),
}
# fmt: on

_TOWN_ALIASES = {"sandvika": "baerum", "bærum": "baerum", "tromsø": "tromso", "bodø": "bodo"}


def find_town(name: str) -> Town:
    """The town for a key or alias (``asker``, ``baerum``/``sandvika``, ``drammen``,
    ``tromso``, ``bodo``); ``ValueError`` naming the choices otherwise."""
    key = name.strip().lower()
    town = TOWNS.get(_TOWN_ALIASES.get(key, key))
    if town is None:
        choices = ", ".join(sorted([*TOWNS, *_TOWN_ALIASES]))
        raise ValueError(f"unknown town {name!r}; choose one of: {choices}")
    return town


# -------------------------------------------------------------------- geography

KM_PER_DEGREE_LAT = 111.32
MAX_KM_FROM_CENTRE = 15.0
"""Scattered rural homes stay within this distance of the town centre."""


def offset(origin: Location, north_km: float, east_km: float) -> Location:
    """The point ``north_km`` north and ``east_km`` east of ``origin`` (flat-earth
    approximation, good to metres at these distances), rounded to about a metre."""
    lat = origin.lat + north_km / KM_PER_DEGREE_LAT
    lon = origin.lon + east_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(origin.lat)))
    return Location(lat=round(lat, 5), lon=round(lon, 5))


def km_between(a: Location, b: Location) -> float:
    north = (a.lat - b.lat) * KM_PER_DEGREE_LAT
    east = (a.lon - b.lon) * KM_PER_DEGREE_LAT * math.cos(math.radians(b.lat))
    return math.hypot(north, east)


def home_in(area: Area, rng: random.Random) -> Location:
    """A home in a settlement: normally distributed around its centre, cut at 2.5 sigma."""
    while True:
        north, east = rng.gauss(0, area.spread_km), rng.gauss(0, area.spread_km)
        if math.hypot(north, east) <= 2.5 * area.spread_km:
            return offset(area.location, north, east)


def rural_home(town: Town, near: Location, far_km: float, rng: random.Random) -> Location:
    """A scattered home 2-``far_km`` km from ``near`` on the land side of the town."""
    for _ in range(100):
        low, high = rng.choice(town.land_bearings)
        bearing = math.radians(rng.uniform(low, high))
        km = rng.uniform(2.0, far_km)
        home = offset(near, km * math.cos(bearing), km * math.sin(bearing))
        if km_between(home, town.centre) <= MAX_KM_FROM_CENTRE:
            return home
    return home_in(town.areas[0], rng)  # not reached for the towns above
