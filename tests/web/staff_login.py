"""Logging a staff member in through the real form: password, TOTP code and CSRF token."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from fraudlink.auth import totp


def log_in(client: TestClient, username: str, password: str, secret: str) -> None:
    form = client.get("/login")
    found = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert found is not None, "the login form has no CSRF token"
    code = totp.code_at(secret, datetime.now(UTC))
    fields = {"username": username, "password": password, "csrf": found.group(1), "code": code}
    done = client.post("/login", data=fields)
    assert done.status_code == 303, done.text
