"""Rendered page bodies, kept per version of everything they show.

A case page renders hundreds of table rows and two graphs' data; under load that was a
quarter of its time, for the same HTML each view. The body is kept with a *version* that
names every input it depends on (the package's files, the evidence folders, the other
cases' packages, the freezes, the language), so a view never shows anything stale: a
view whose version differs renders again. Only the per-user CSRF token differs between
viewers, and it goes into a slot after the lookup. The slot is random per process, so no
evidence text can contain it.

The whole page (the body in the page's frame, which names the viewer and links back to
the page in the other language) is kept the same way per viewer and address: rendering
the frame again for each view cost as much as the rest of a kept view.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"


@dataclass(frozen=True)
class KeptPage:
    version: Hashable
    head: Any  # what the page shell shows beside the body (the case's manifest)
    body: str
    # False for a body drawn from figures that are being rebuilt: shown, not kept.
    final: bool = True


class PageBodies:
    """The last body rendered per page (and language), with its version."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, KeptPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, page: Hashable, version: Hashable) -> KeptPage | None:
        """The kept body of ``page`` if it was rendered from ``version``."""
        with self._lock:
            kept = self._kept.get(page)
            if kept is None or kept.version != version:
                return None
            self._kept.move_to_end(page)
            return kept

    def keep(self, page: Hashable, kept: KeptPage) -> None:
        with self._lock:
            self._kept[page] = kept
            self._kept.move_to_end(page)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


def with_csrf(body: str, token: str) -> Markup:
    """The kept body with this session's CSRF token in its slot."""
    # The body came from the autoescaping templates and the token is URL-safe base64.
    return Markup(body.replace(CSRF_SLOT, token))  # noqa: S704
