"""The line each benchmark prints about the machine it ran on, so tables compare."""

from __future__ import annotations

import os
import platform
from importlib.metadata import version
from pathlib import Path


def machine(*packages: str) -> str:
    """Cores, CPU model, RAM, architecture, Python and the given packages' versions."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines()
                  if ln.startswith("model name")), platform.processor())  # fmt: skip
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    engines = "".join(f", {name} {version(name)}" for name in packages)
    return (
        f"{os.cpu_count()} cores ({model}), {ram:.0f} GiB RAM, {platform.machine()}, "
        f"Python {platform.python_version()}{engines}"
    )
