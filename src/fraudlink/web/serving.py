"""Which peers may say who the client is (``X-Forwarded-For``), for uvicorn.

uvicorn believes forwarded headers from the loopback address by default, so anyone
who can reach the port from the same host (or through a proxy that passes the header
through) chooses their own address, and per-address limits mean nothing. Here the
headers are believed from the proxies given, and from no one otherwise.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any


def proxy_options(trusted: Sequence[str]) -> dict[str, Any]:
    """uvicorn options trusting forwarded headers only from ``trusted`` (IPs or CIDRs).

    >>> proxy_options([])
    {'proxy_headers': False, 'forwarded_allow_ips': []}
    >>> proxy_options(["10.0.0.0/8"])["forwarded_allow_ips"]
    ['10.0.0.0/8']
    """
    for entry in trusted:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise ValueError(
                f"--trusted-proxy {entry!r} is not an address or network (like 10.0.0.5 "
                "or 10.0.0.0/8)"
            ) from exc
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": list(trusted)}
