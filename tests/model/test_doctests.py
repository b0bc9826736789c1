"""The examples in the model's docstrings are run, so they stay true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import fraudlink.model

MODULES = sorted(
    f"fraudlink.model.{m.name}" for m in pkgutil.iter_modules(fraudlink.model.__path__)
)


@pytest.mark.parametrize(
    "name",
    MODULES,
)
def test_doctests_pass(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("name", ["fraudlink.model.money", "fraudlink.model.geo"])
def test_module_has_doctests(name: str) -> None:
    assert doctest.testmod(importlib.import_module(name)).attempted > 0
