"""Cities the system knows by name, with coordinates for geo-velocity."""

from __future__ import annotations

import math
from typing import NamedTuple


class City(NamedTuple):
    name: str
    name_zh: str
    province: str
    lat: float
    lon: float
    weight: float  # relative share of simulated population


CITIES: tuple[City, ...] = (
    City("Beijing", "北京", "Beijing", 39.904, 116.407, 10.0),
    City("Shanghai", "上海", "Shanghai", 31.230, 121.474, 10.0),
    City("Guangzhou", "广州", "Guangdong", 23.129, 113.264, 8.0),
    City("Shenzhen", "深圳", "Guangdong", 22.543, 114.058, 8.0),
    City("Hangzhou", "杭州", "Zhejiang", 30.274, 120.155, 6.0),
    City("Nanjing", "南京", "Jiangsu", 32.060, 118.797, 5.0),
    City("Chengdu", "成都", "Sichuan", 30.573, 104.066, 7.0),
    City("Chongqing", "重庆", "Chongqing", 29.563, 106.551, 7.0),
    City("Wuhan", "武汉", "Hubei", 30.593, 114.305, 6.0),
    City("Xi'an", "西安", "Shaanxi", 34.341, 108.940, 5.0),
    City("Changsha", "长沙", "Hunan", 28.228, 112.939, 4.0),
    City("Zhengzhou", "郑州", "Henan", 34.747, 113.625, 4.0),
    City("Kunming", "昆明", "Yunnan", 24.880, 102.833, 3.0),
    City("Xiamen", "厦门", "Fujian", 24.480, 118.089, 3.0),
    City("Harbin", "哈尔滨", "Heilongjiang", 45.803, 126.535, 3.0),
    City("Shenyang", "沈阳", "Liaoning", 41.806, 123.432, 3.0),
)

CITY_BY_NAME: dict[str, City] = {c.name: c for c in CITIES} | {c.name_zh: c for c in CITIES}


def distance_km(a: str, b: str) -> float:
    """Great-circle distance between two known cities.

    >>> round(distance_km("Beijing", "Shanghai"))
    1067
    """
    ca, cb = CITY_BY_NAME[a], CITY_BY_NAME[b]
    p1, p2 = math.radians(ca.lat), math.radians(cb.lat)
    dp, dl = p2 - p1, math.radians(cb.lon - ca.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))
