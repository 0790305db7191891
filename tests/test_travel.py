"""Travel times: the haversine default, its modes and the matrix cache."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beredt.domain.model import Location, TransportMode
from beredt.travel import HaversineTravel, MatrixCache, Place, haversine_km

ASKER = Location(lat=59.8333, lon=10.4350)
SANDVIKA = Location(lat=59.8890, lon=10.5236)


def test_asker_to_sandvika_is_about_eight_km() -> None:
    assert haversine_km(ASKER, SANDVIKA) == pytest.approx(7.8, abs=0.3)


def test_slower_modes_take_longer() -> None:
    travel = HaversineTravel()
    a, b = Place("a", ASKER), Place("b", SANDVIKA)
    car, bike, walk = (travel.minutes(a, b, m) for m in TransportMode)
    assert 0 < car < bike < walk
    assert travel.minutes(a, a, TransportMode.CAR) == 0


class CountingTravel(HaversineTravel):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def minutes(self, origin: Place, destination: Place, mode: TransportMode) -> int:
        self.calls += 1
        return super().minutes(origin, destination, mode)


def test_matrix_cache_asks_each_pair_once() -> None:
    inner = CountingTravel()
    cache = MatrixCache(inner)
    places = [Place("a", ASKER), Place("b", SANDVIKA)]
    first = cache.matrix(places, TransportMode.CAR)
    calls = inner.calls
    assert cache.matrix(places, TransportMode.CAR) == first
    assert cache.minutes(places[0], places[1], TransportMode.CAR) == first[0][1]
    assert inner.calls == calls


def test_bad_provider_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="detour"):
        HaversineTravel(detour_factor=0.5)


coords = st.builds(Location, lat=st.floats(58.0, 70.0), lon=st.floats(5.0, 30.0))


@given(coords, coords, coords)
def test_travel_obeys_the_triangle_inequality_up_to_rounding(
    a: Location, b: Location, c: Location
) -> None:
    travel = HaversineTravel()
    pa, pb, pc = Place("a", a), Place("b", b), Place("c", c)
    mode = TransportMode.CAR
    assert (
        travel.minutes(pa, pc, mode)
        <= travel.minutes(pa, pb, mode) + travel.minutes(pb, pc, mode) + 1
    )
    assert travel.minutes(pa, pb, mode) == travel.minutes(pb, pa, mode)
