"""Alerts for the scoring tests: only the fields scoring reads vary."""

from __future__ import annotations

from datetime import UTC, datetime

from fraudlink.detect.alerts import Alert

AT = datetime(2024, 1, 1, tzinfo=UTC)


def alert(accounts: list[str], score: int, rule_id: str = "r", typology: str = "t") -> Alert:
    return Alert(
        alert_id=f"al-{rule_id}-{'-'.join(accounts)}-{score}",
        rule_id=rule_id,
        rule_version=1,
        title=rule_id,
        typology=typology,
        entity_kind="account",
        entity=accounts[0],
        accounts=accounts,
        ts=AT,
        window_start=AT,
        score=score,
        severity="medium",
        reasons=[],
        metrics={},
        event_ids=[],
    )
