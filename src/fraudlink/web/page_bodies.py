"""Rendered page bodies, kept per version of everything they show.

A case page renders hundreds of table rows and two graphs' data; under load that was a
quarter of its time, for the same HTML each view. The body is rendered once per key that
names every input it depends on (the package's files, the evidence version, the freezes,
the linked cases, the language), so a view never shows anything stale; only the
per-user CSRF token differs, and it goes into a slot after the lookup. The slot is random
per process, so no evidence text can contain it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable

from markupsafe import Markup

from fraudlink.web.case_cache import Memo

CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"


class PageBodies:
    def __init__(self, size: int = 32) -> None:
        self._memo = Memo(size)

    def body(self, key: Hashable, render: Callable[[], str]) -> str:
        """The body for ``key``, rendered by ``render`` once (one render per key at a time)."""
        return self._memo.get(key, render)


def with_csrf(body: str, token: str) -> Markup:
    """The kept body with this session's CSRF token in its slot."""
    # The body came from the autoescaping templates and the token is URL-safe base64.
    return Markup(body.replace(CSRF_SLOT, token))  # noqa: S704
