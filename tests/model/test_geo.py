"""City distances behave as a metric, and every known city is placed in a province."""

from __future__ import annotations

import itertools
import math

import pytest

from fraudlink.model.geo import CITIES, CITY_BY_NAME, City, distance_km

NAMES = sorted(CITY_BY_NAME)
# Floating-point slack, far below anything a geo-velocity rule could notice.
EPSILON_KM = 1e-6


@pytest.mark.parametrize("name", NAMES)
def test_distance_to_self_is_zero(name: str) -> None:
    assert distance_km(name, name) == 0.0


def test_distance_is_symmetric_and_positive_between_cities() -> None:
    for a, b in itertools.combinations(NAMES, 2):
        d = distance_km(a, b)
        assert d == pytest.approx(distance_km(b, a), abs=EPSILON_KM)
        same_city = CITY_BY_NAME[a] is CITY_BY_NAME[b]
        assert d == 0.0 if same_city else d > 0


def test_triangle_inequality() -> None:
    for a, b, c in itertools.product([city.name for city in CITIES], repeat=3):
        assert distance_km(a, c) <= distance_km(a, b) + distance_km(b, c) + EPSILON_KM


def test_distances_stay_on_the_earth() -> None:
    half_circumference = math.pi * 6371.0088
    assert max(distance_km(a, b) for a, b in itertools.combinations(NAMES, 2)) < (
        half_circumference
    )


def test_chinese_and_english_names_are_the_same_city() -> None:
    for city in CITIES:
        assert distance_km(city.name, city.name_zh) == 0.0


@pytest.mark.parametrize("city", CITIES, ids=lambda c: c.name)
def test_every_city_has_a_province_and_coordinates(city: City) -> None:
    assert city.province.strip()
    assert city.name_zh.strip()
    assert -90 <= city.lat <= 90 and -180 <= city.lon <= 180
    assert city.weight > 0


def test_city_names_do_not_collide() -> None:
    assert len(CITY_BY_NAME) == 2 * len(CITIES)


def test_unknown_city_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        distance_km("Atlantis", "Beijing")
