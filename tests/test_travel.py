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


places_strategy = st.lists(coords, min_size=1, max_size=8).map(
    lambda locations: [Place(f"p{k}", loc) for k, loc in enumerate(locations)]
)


@given(places_strategy)
def test_a_whole_matrix_holds_the_same_minutes_as_each_pair(places: list[Place]) -> None:
    """The matrix is computed once per unordered pair, with each place's trigonometry
    done once; every entry is still exactly what ``minutes`` gives for that pair."""
    travel = HaversineTravel()
    for mode in TransportMode:
        matrix = travel.matrix(places, mode)
        assert matrix == [[travel.minutes(a, b, mode) for b in places] for a in places]


def test_a_cached_matrix_serves_its_pairs_and_parts_without_asking_again() -> None:
    inner = CountingTravel()
    cache = MatrixCache(inner)
    third = Place("c", Location(lat=59.9, lon=10.7))
    places = [Place("a", ASKER), Place("b", SANDVIKA), third]
    full = cache.matrix(places, TransportMode.CAR)
    assert inner.calls == 0  # the provider's own matrix, not pair by pair
    assert cache.matrix([third, places[0]], TransportMode.CAR) == [
        [full[2][2], full[2][0]],
        [full[0][2], full[0][0]],
    ]
    assert cache.minutes(places[1], third, TransportMode.CAR) == full[1][2]
    assert inner.calls == 0
    elsewhere = Place("d", Location(lat=60.0, lon=11.0))
    cache.minutes(places[0], elsewhere, TransportMode.CAR)
    cache.minutes(places[0], elsewhere, TransportMode.CAR)
    assert inner.calls == 1  # a pair outside every matrix: asked once
    assert cache.minutes(places[0], places[1], TransportMode.BIKE) > full[0][1]
    assert inner.calls == 2  # another mode is another matrix
