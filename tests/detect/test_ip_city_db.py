"""Geo-velocity with an IP→city database in MaxMind format (a real .mmdb file, not a stand-in)."""

from __future__ import annotations

from pathlib import Path

from mmdb_writer import MMDBWriter
from netaddr import IPSet

from fraudlink.detect.engine import Engine
from fraudlink.detect.operators.ipcity import IpCityDb
from fraudlink.detect.rules.loader import load_rules_text
from fraudlink.model.geo import CITY_BY_NAME, distance_km
from fraudlink.sim.registry import ip_city_blocks
from tests.detect.streams import MINUTE, T0, login, table

PACK = """
version: 1
settings: {ip_city_db: %s}
rules:
  - id: travel
    title: travel
    typology: account_takeover
    weight: 0.8
    on: [login]
    where: {success: true, hop.speed_kmh: {gt: 1000}}
    enrich: {hop: {op: geo_velocity}}
    detect: {op: window, key: account, length: 6h, aggregates: {hops: {fn: count}}}
    when: {hops: {ge: 1}}
    reason: "{hop.prev_city} to {hop.city}, {hop.distance_km} km in {hop.gap}"
"""


def _write_db(path: Path) -> None:
    """The simulator's address blocks, as a GeoLite2-City-shaped database."""
    writer = MMDBWriter(ip_version=4, database_type="GeoLite2-City", languages=["en"])
    for cidr, name in ip_city_blocks():
        city = CITY_BY_NAME[name]
        writer.insert_network(
            IPSet([cidr]),
            {
                "city": {"names": {"en": name}},
                "location": {"latitude": city.lat, "longitude": city.lon},
            },
        )
    writer.to_db_file(str(path))


def _ip_of(city: str) -> str:
    cidr = next(c for c, name in ip_city_blocks() if name == city)
    return cidr.replace("0.0/16", "7.9")


def test_the_database_places_a_login_by_its_ip_over_the_city_it_claims(tmp_path: Path) -> None:
    db = tmp_path / "ip-city.mmdb"
    _write_db(db)
    assert IpCityDb(db).lookup(_ip_of("Harbin")) is not None
    assert IpCityDb(db).lookup("10.1.2.3") is None
    rows = [
        # Both logins say Beijing, but the second comes from an address in Kunming.
        login(T0, "a", "Beijing", ip=_ip_of("Beijing")),
        login(T0 + 40 * MINUTE, "a", "Beijing", ip=_ip_of("Kunming")),
        # An address the database does not know falls back to the event's own city.
        login(T0, "b", "Shanghai", ip="10.1.2.3"),
        login(T0 + 40 * MINUTE, "b", "Harbin", ip="10.1.2.4"),
    ]
    rows.sort(key=lambda r: r["ts"])
    engine = Engine(load_rules_text(PACK % db))
    alerts = engine.push(table(rows)) + engine.flush()
    assert engine.stats.late == 0
    reasons = {a.entity: a.reasons[0] for a in alerts}
    km = distance_km("Beijing", "Kunming")
    assert reasons["a"] == f"Beijing to Kunming, {km:,.0f} km in 40 m"
    km = distance_km("Shanghai", "Harbin")
    assert reasons["b"] == f"Shanghai to Harbin, {km:,.0f} km in 40 m"
    # Without the database the first account's logins are both in Beijing: no hop at all.
    plain = Engine(load_rules_text(PACK.replace("settings: {ip_city_db: %s}", "")))
    assert {a.entity for a in plain.push(table(rows)) + plain.flush()} == {"b"}
