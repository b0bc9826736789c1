"""The browser libraries in ``static/vendor/`` (htmx, Cytoscape.js), built by ``make frontend``.

They are installed from the npm registry at build time (``web/frontend/``) and are not in
git, so a checkout that skipped the build has none. Pages then leave their script tags
out: the forms still submit and every graph has its table, and the server says once
which command builds them, instead of the browser logging a missing script on every page.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fraudlink.web.templating import templates

FOLDER = Path(__file__).parent / "static" / "vendor"
BUILD = "make frontend (runs web/frontend/build.sh: npm ci, then copies the files)"
log = logging.getLogger("fraudlink.web")
_told: set[str] = set()


def vendor_url(name: str) -> str | None:
    """``/static/vendor/<name>`` if it was built, else None (logged once per file).

    A stat per page: a build made while the server runs is picked up without a restart.
    """
    if (FOLDER / name).is_file():
        return f"/static/vendor/{name}"
    if name not in _told:
        _told.add(name)
        log.warning("static/vendor/%s is missing, so pages go without it; build it with %s",
                    name, BUILD)  # fmt: skip
    return None


# Templates call it as ``vendor("htmx.min.js")``; importing this module makes it available.
templates.env.globals["vendor"] = vendor_url
