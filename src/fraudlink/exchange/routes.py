"""Where each peer organisation's messages go: an HTTPS/HTTP inbox or a drop folder.

    HOME/routes.json   {"hz-cyber": {"url": "https://10.0.0.5:8443", "cafile": "…"}, …}

A route is only an address. Trust is the directory's business: a message still goes
to a route only if its recipient's key is trusted, and it is sealed to that key.
"""

from __future__ import annotations

from pathlib import Path

import msgspec


class RouteError(ValueError):
    """A route that cannot be used, with what to do."""


class Route(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    url: str | None = None  # the peer's inbox server, e.g. https://police.example:8443
    drop: str | None = None  # a folder sealed messages are written to (air-gapped units)
    cafile: str | None = None  # the CA bundle that signed the peer's TLS certificate

    def __post_init__(self) -> None:
        if (self.url is None) == (self.drop is None):
            raise RouteError("a route has either a url or a drop folder, not both or neither")
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise RouteError(f"route url {self.url!r}: expected http://… or https://…")

    @property
    def destination(self) -> str:
        return self.url if self.url is not None else f"drop:{self.drop}"


def path(home: Path) -> Path:
    return home / "routes.json"


def load(home: Path) -> dict[str, Route]:
    file = path(home)
    if not file.exists():
        return {}
    try:
        return msgspec.json.decode(file.read_bytes(), type=dict[str, Route])
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise RouteError(f"{file}: {exc}; fix it or set the route again") from exc


def save(home: Path, routes: dict[str, Route]) -> None:
    tmp = home / ".routes.json.tmp"
    tmp.write_bytes(msgspec.json.format(msgspec.json.encode(dict(sorted(routes.items())))))
    tmp.replace(path(home))


def get(home: Path, org: str) -> Route:
    found = load(home).get(org)
    if found is None:
        raise RouteError(
            f"no route to {org}: `fraudlink node route {org} --url URL` (or --drop DIR)"
        )
    return found
