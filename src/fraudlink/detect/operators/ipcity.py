"""Where a login came from: an IP→city database in MaxMind format when configured,
else the city the event itself reports.

Coordinates come from the database when it has them, otherwise from the cities the
model knows by name (``model.geo``); a place with no coordinates gives no speed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from fraudlink.detect.frame import Frame
from fraudlink.model.geo import CITY_BY_NAME


class CityTable:
    """Places seen so far, by index, with their coordinates (NaN when unknown)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.names: list[str] = []
        self.lat = np.empty(0, dtype=np.float64)
        self.lon = np.empty(0, dtype=np.float64)

    def place(self, name: str, lat: float | None = None, lon: float | None = None) -> int:
        found = self.index.get(name)
        if found is not None:
            return found
        if lat is None or lon is None:
            city = CITY_BY_NAME.get(name)
            lat, lon = (city.lat, city.lon) if city else (math.nan, math.nan)
        found = self.index[name] = len(self.names)
        self.names.append(name)
        self.lat = np.append(self.lat, lat)
        self.lon = np.append(self.lon, lon)
        return found


class IpCityDb:
    """A MaxMind-format (``.mmdb``) database, e.g. GeoLite2-City, read with ``maxminddb``."""

    def __init__(self, path: Path) -> None:
        try:
            import maxminddb
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise RuntimeError("an IP→city database needs the maxminddb package") from exc
        self.path = path
        self._reader = maxminddb.open_database(str(path))
        self._cache: dict[str, tuple[str, float | None, float | None] | None] = {}

    def lookup(self, ip: str) -> tuple[str, float | None, float | None] | None:
        if ip in self._cache:
            return self._cache[ip]
        try:
            record: Any = self._reader.get(ip)
        except ValueError:
            record = None
        found = _city_of(record) if isinstance(record, dict) else None
        self._cache[ip] = found
        return found


def _city_of(record: dict[str, Any]) -> tuple[str, float | None, float | None] | None:
    city = record.get("city")
    names = city.get("names", {}) if isinstance(city, dict) else {}
    name = names.get("en") or next(iter(names.values()), None)
    if not name:
        return None
    loc = record.get("location") or {}
    lat, lon = loc.get("latitude"), loc.get("longitude")
    return (
        str(name),
        (float(lat) if lat is not None else None),
        (float(lon) if lon is not None else None),
    )


class CityResolver:
    """Place index of each login row: the database's answer for its IP, else its own city."""

    def __init__(self, db: IpCityDb | None) -> None:
        self.db = db
        self.table = CityTable()
        self._by_code: dict[int, int] = {}
        self._by_ip: dict[int, int] = {}

    def places(self, frame: Frame, rows: np.ndarray) -> np.ndarray:
        """Vectorised over the batch: one lookup per distinct city or IP, not per event."""
        names = frame.interner_of("city").names
        if frame.small and self.db is None:
            city = self._city
            codes = frame.codes("city")[rows].tolist()
            return np.array([city(c, names) for c in codes], dtype=np.int64)
        cities, inverse = np.unique(frame.codes("city")[rows], return_inverse=True)
        mapped = np.array([self._city(int(c), names) for c in cities], dtype=np.int64)
        out: np.ndarray = mapped[inverse] if len(rows) else np.empty(0, dtype=np.int64)
        if self.db is not None and len(rows):
            ips, inverse = np.unique(frame.codes("ip")[rows], return_inverse=True)
            ip_names = frame.interner_of("ip").names
            by_ip = np.array([self._ip(int(c), ip_names) for c in ips], dtype=np.int64)[inverse]
            out = np.where(by_ip >= 0, by_ip, out)
        return out

    def _city(self, code: int, names: list[str]) -> int:
        place = self._by_code.get(code)
        if place is None:
            place = self._by_code[code] = self.table.place(names[code]) if code >= 0 else -1
        return place

    def _ip(self, code: int, names: list[str]) -> int:
        place = self._by_ip.get(code)
        if place is None:
            found = self.db.lookup(names[code]) if self.db is not None and code >= 0 else None
            place = self._by_ip[code] = self.table.place(*found) if found else -1
        return place
