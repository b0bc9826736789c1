"""The probabilistic model: which fields are compared how, and which pairs are compared.

Declared as data (a field, its ordered levels, a label for each) so the same
declaration builds the Splink comparisons and turns a pair's comparison vector back
into words for the evidence of a merge ("name exact, birth date exact, address one
contains the other"). Only the fields a source fills take part.

Levels run from the most to the least alike; Splink numbers them the other way round
(the last, "different", is gamma 0; a null on either side is gamma -1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator


@dataclass(frozen=True)
class FieldComparison:
    """One compared field: its levels (label, Splink level), most alike first."""

    field: str
    levels: tuple[tuple[str, ComparisonLevelCreator], ...]

    def creator(self) -> ComparisonCreator:
        levels: list[ComparisonLevelCreator | dict[str, Any]] = [cll.NullLevel(self.field)]
        levels += [level.configure(label_for_charts=label) for label, level in self.levels]
        levels.append(cll.ElseLevel().configure(label_for_charts="different"))
        return cl.CustomComparison(levels, output_column_name=self.field)

    def label(self, gamma: int) -> str:
        """The words for a comparison vector value."""
        if gamma < 0:
            return "missing"
        labels = [label for label, _ in self.levels] + ["different"]
        return labels[len(labels) - 1 - gamma]


def _name_levels(col: str) -> tuple[tuple[str, ComparisonLevelCreator], ...]:
    # Jaro-Winkler 0.7 is one character apart in a two-character Chinese name (王伟/王玮):
    # the homophone a second clerk types. EM decides how much each level is worth.
    return (
        ("exact", cll.ExactMatchLevel(col, term_frequency_adjustments=True)),
        ("Jaro-Winkler ≥ 0.92", cll.JaroWinklerLevel(col, 0.92)),
        ("Jaro-Winkler ≥ 0.8", cll.JaroWinklerLevel(col, 0.8)),
        ("Jaro-Winkler ≥ 0.7", cll.JaroWinklerLevel(col, 0.7)),
    )


def _exact_or_typo(col: str, *distances: int) -> tuple[tuple[str, ComparisonLevelCreator], ...]:
    typos: list[tuple[str, ComparisonLevelCreator]] = [
        (f"{d} character{'s' if d > 1 else ''} apart", cll.LevenshteinLevel(col, d))
        for d in distances
    ]
    return (("exact", cll.ExactMatchLevel(col)), *typos)


def _birth_levels() -> tuple[tuple[str, ComparisonLevelCreator], ...]:
    # A typed date is off by one digit (1987-03-14 / 1987-08-14), not by a month.
    typo = "levenshtein(CAST(birth_date_l AS VARCHAR), CAST(birth_date_r AS VARCHAR)) <= 1"
    within = [
        (
            f"within a {unit}",
            cll.AbsoluteDateDifferenceLevel(
                "birth_date", input_is_string=False, threshold=1, metric=unit
            ),
        )
        for unit in ("month", "year")
    ]
    return (
        ("exact", cll.ExactMatchLevel("birth_date")),
        ("one digit apart", cll.CustomLevel(typo)),
        *within,
    )


def _address_levels() -> tuple[tuple[str, ComparisonLevelCreator], ...]:
    # Addresses are written with or without the city, with or without the unit: one
    # then contains the other, or they differ by a few characters.
    contains = "contains(address_l, address_r) OR contains(address_r, address_l)"
    return (
        ("exact", cll.ExactMatchLevel("address")),
        ("one contains the other", cll.CustomLevel(contains)),
        ("Jaro-Winkler ≥ 0.9", cll.JaroWinklerLevel("address", 0.9)),
        ("Jaro-Winkler ≥ 0.8", cll.JaroWinklerLevel("address", 0.8)),
    )


def comparisons(
    present: list[str], has_devices: bool, hashed_ids: bool = False
) -> list[FieldComparison]:
    """The comparisons for the fields a source fills, in a fixed order.

    A hashed id that differs by a character is another id, so hashed ids (longer than
    any id number people type) get no typo levels, which also spares training the
    Levenshtein distances of millions of 32-character hashes.
    """
    split_name = "first_name" in present or "last_name" in present
    table: dict[str, tuple[tuple[str, ComparisonLevelCreator], ...]] = {
        "name": () if split_name else _name_levels("name"),
        "first_name": _name_levels("first_name"),
        "last_name": _name_levels("last_name"),
        "birth_date": _birth_levels(),
        "phone": _exact_or_typo("phone"),
        "email": (
            ("exact", cll.ExactMatchLevel("email")),
            (
                "same user name",
                cll.CustomLevel("split_part(email_l, '@', 1) = split_part(email_r, '@', 1)"),
            ),
        ),
        "id_number": _exact_or_typo("id_number", *(() if hashed_ids else (1, 2))),
        "address": _address_levels(),
        "city": (("exact", cll.ExactMatchLevel("city", term_frequency_adjustments=True)),),
        "postcode": _exact_or_typo("postcode", 1),
    }
    out = [FieldComparison(f, table[f]) for f in table if f in present and table[f]]
    if has_devices:
        shared = cll.ArrayIntersectLevel("devices", min_intersection=1)
        out.append(FieldComparison("devices", (("shared", shared),)))
    return out


def blocking_keys(present: list[str], hard: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Which equal fields make a pair worth comparing.

    A name (or each half of a split one) with a birth date or a place, a birth date with
    a place. Hard identifiers are left out: equal ones are merged already, and a hub
    value would make the pair count explode. Identifiers not used as hard ones block on
    their own.
    """
    names: Sequence[tuple[str, ...]]
    keys: list[tuple[str, ...]]
    if "first_name" in present and "last_name" in present:
        names = [("first_name",), ("last_name",)]
        keys = [("first_name", "last_name")]
    else:
        names = [(n,) for n in present if n in ("name", "first_name", "last_name")][:1]
        keys = []
    places = [p for p in ("birth_date", "city", "postcode") if p in present]
    keys += [(*name, place) for name in names for place in places]
    if "birth_date" in places:
        keys += [("birth_date", place) for place in places if place != "birth_date"]
    keys += [(k,) for k in ("id_number", "phone", "email") if k in present and k not in hard]
    return keys
