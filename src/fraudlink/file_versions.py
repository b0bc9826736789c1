"""File sizes and change times read by walking folders: the version of what a page shows.

Every view of a case page asks whether anything it was drawn from has changed (see
``web/page_bodies.py``). These walks use ``os.scandir`` and ``os.stat`` on strings: the
same walks through ``pathlib`` spent more on building paths (about 2 µs a join, some 30
joins a view) than on the system calls.
"""

from __future__ import annotations

import os
from pathlib import Path


def tree_version(folder: Path | str) -> tuple[int, ...]:
    """Every file's change time under ``folder``, in path order (one ``scandir`` walk)."""
    found: list[tuple[str, int]] = []
    pending = [os.fspath(folder)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file():
                    found.append((entry.path, entry.stat().st_mtime_ns))
    return tuple(ns for _, ns in sorted(found))


def files_in_subfolders(
    root: Path | str, inner: str, name: str, *, also: tuple[str, ...] = ()
) -> list[tuple[str, str, os.stat_result]]:
    """For each visible subfolder ``S`` of ``root`` in name order that holds the file
    ``S/inner/name`` (and each of ``also`` beside it): ``(S, the folder S/inner, its
    stat)``. Hidden names are left out, as a glob's ``*`` leaves them."""
    root = os.fspath(root)
    try:
        with os.scandir(root) as entries:
            subs = sorted(e.name for e in entries if e.is_dir() and not e.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for sub in subs:
        folder = os.path.join(root, sub, inner) if inner else os.path.join(root, sub)
        try:
            stat = os.stat(os.path.join(folder, name))
        except (FileNotFoundError, NotADirectoryError):
            continue
        if all(os.path.exists(os.path.join(folder, other)) for other in also):
            found.append((sub, folder, stat))
    return found


def sizes_and_times(
    found: list[tuple[str, str, os.stat_result]],
) -> tuple[tuple[str, int, int], ...]:
    """``files_in_subfolders``' answer as a version: each subfolder's file by name, size
    and change time."""
    return tuple((sub, stat.st_size, stat.st_mtime_ns) for sub, _, stat in found)
