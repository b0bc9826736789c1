"""The timelines a gang's case report shows: its leader's and its cash-out members'
accounts, read from every source (event files given and the police node's evidence)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from fraudlink.investigate import timeline, timeline_sources
from fraudlink.investigate.gang_result import Gang
from fraudlink.investigate.timeline import Timeline
from fraudlink.report.timeline_svg import money_summary, timeline_chart

KEY_ROLES = ("coordinator", "cash_out")
MAX_TIMELINES = 4  # a report read on paper: the leader and the cash-out points
ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class MemberTimeline:
    role: str
    person: str
    name: str | None
    org: str
    account: str
    story: Timeline
    svg: str
    summary: str


def key_accounts(gang: Gang, limit: int = MAX_TIMELINES) -> list[tuple[str, str, str, str]]:
    """(role, person, org, account) of the leader's and cash-out members' wallets, in rank
    order; bank cards are left out (their story is the withdrawals, already shown)."""
    out: list[tuple[str, str, str, str]] = []
    for role in KEY_ROLES:
        for m in gang.members:
            if m.role != role:
                continue
            for a in m.accounts:
                if a.kind != "bank_card" and len(out) < limit:
                    out.append((role, m.person, a.org, a.account))
    return out


def member_timelines(gang: Gang, events: list[Path], home: Path | None) -> list[MemberTimeline]:
    names = {m.person: m.name for m in gang.members}
    found = []
    for role, person, org, account in key_accounts(gang):
        rows = list(timeline_sources.from_events(events, account))
        alerts: list[tuple[str, dict[str, object]]] = []
        if home is not None:
            held, alerts = timeline_sources.from_evidence(home, account)
            rows += held
        story = timeline.build(account, [(s, r) for s, r in rows if _at(r, org)], alerts)
        if story.entries:
            found.append(MemberTimeline(role=role, person=person, name=names.get(person),
                                        org=org, account=account, story=story,
                                        svg=timeline_chart(story, ZONE),
                                        summary=money_summary(story)))  # fmt: skip
    return found


def _at(row: dict[str, object], org: str) -> bool:
    """The row is about the account at ``org`` (an id may be reused at another platform)."""
    if row.get("type") == "wallet_transfer":
        return org in (row.get("org"), row.get("to_org"))
    return row.get("org") == org
