"""Geo-velocity: how far and how fast an account's login moved since its previous one.

Per account only the previous login's time and place are kept (two numpy arrays
indexed by account code), and a whole batch is answered with array operations.
"""

from __future__ import annotations

import numpy as np

from fraudlink.detect.durations import US
from fraudlink.detect.frame import Frame
from fraudlink.detect.intern import MISSING
from fraudlink.detect.operators.base import Values
from fraudlink.detect.operators.ipcity import CityResolver
from fraudlink.detect.operators.ordering import latest_before
from fraudlink.detect.rules.schema import GeoVelocitySpec

EARTH_KM = 6371.0088


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance, the same formula as ``model.geo.distance_km``."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: np.ndarray = 2 * EARTH_KM * np.arcsin(np.sqrt(h))
    return out


class GeoVelocity:
    """Distance, gap and implied km/h from the account's previous (successful) login."""

    def __init__(self, spec: GeoVelocitySpec, resolver: CityResolver) -> None:
        self.successful_only = spec.successful_only
        self.resolver = resolver
        self.last_ts = np.full(0, -1, dtype=np.int64)
        self.last_place = np.full(0, -1, dtype=np.int64)
        self._names = np.array([None], dtype=object)

    def _feeders(self, frame: Frame) -> np.ndarray:
        rows = frame.rows_of(("login",))
        if self.successful_only and len(rows):
            rows = rows[frame.bools("success")[rows]]
        return rows

    def _grow(self, size: int) -> None:
        if size > len(self.last_ts):
            extra = max(size - len(self.last_ts), len(self.last_ts))
            self.last_ts = np.concatenate([self.last_ts, np.full(extra, -1, dtype=np.int64)])
            self.last_place = np.concatenate([self.last_place, np.full(extra, -1, dtype=np.int64)])

    def enrich(self, frame: Frame, rows: np.ndarray) -> Values:
        feeders = self._feeders(frame)
        accounts = frame.codes("account")
        self._grow(len(frame.interner_of("account")))
        r_acc = accounts[rows]
        prev = latest_before(accounts[feeders], feeders, r_acc, rows)
        inside = prev >= 0
        prev_pos = feeders[np.where(inside, prev, 0)] if len(feeders) else rows
        place = self.resolver.places(frame, rows)
        prev_place_batch = self.resolver.places(frame, prev_pos) if len(rows) else place
        safe_acc = np.where(r_acc >= 0, r_acc, 0)
        prev_ts = np.where(inside, frame.ts[prev_pos], self.last_ts[safe_acc])
        prev_place = np.where(inside, prev_place_batch, self.last_place[safe_acc])
        prev_ts = np.where(r_acc == MISSING, -1, prev_ts)
        table = self.resolver.table
        has = (prev_ts >= 0) & (prev_place >= 0) & (place >= 0)
        lat, lon = table.lat, table.lon
        p, q = np.where(has, place, 0), np.where(has, prev_place, 0)
        dist = np.where(has, haversine_km(lat[q], lon[q], lat[p], lon[p]), np.nan)
        gap = np.where(has, frame.ts[rows] - prev_ts, -1).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = np.where(gap > 0, dist / (gap / (3600 * US)), np.where(dist > 0, np.inf, 0.0))
        speed = np.where(has, speed, np.nan)
        names = self._names_of(table.names)
        return {
            "city": names[np.where(place >= 0, place, len(table.names))],
            "prev_city": names[np.where(has, prev_place, len(table.names))],
            "distance_km": dist,
            "speed_kmh": speed,
            "gap": np.where(has, gap, np.nan),
        }

    def _names_of(self, names: list[str]) -> np.ndarray:
        # The place table only grows; rebuild the lookup array only when it has.
        if len(self._names) != len(names) + 1:
            self._names = np.array([*names, None], dtype=object)
        return self._names

    def advance(self, frame: Frame) -> None:
        feeders = self._feeders(frame)
        if len(feeders) == 0:
            return
        accounts = frame.codes("account")[feeders]
        self._grow(len(frame.interner_of("account")))
        if frame.small:
            places = self.resolver.places(frame, feeders).tolist()
            moments = frame.ts[feeders].tolist()
            for account, t, place in zip(accounts.tolist(), moments, places, strict=True):
                if account >= 0:  # in time order, so each account's last login wins
                    self.last_ts[account], self.last_place[account] = t, place
            return
        # The last login of each account in the batch wins.
        _, last = np.unique(accounts[::-1], return_index=True)
        pick = feeders[len(feeders) - 1 - last]
        acc = frame.codes("account")[pick]
        keep = acc >= 0
        self.last_ts[acc[keep]] = frame.ts[pick][keep]
        self.last_place[acc[keep]] = self.resolver.places(frame, pick)[keep]

    def expire(self, watermark_us: int) -> None:
        """Successive logins have no window: the previous login is kept however old."""
