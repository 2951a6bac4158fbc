"""Every docstring example in the package runs and prints what it says (docs that match
behaviour): a stale example (the forecast's median once read 207 where the code gives 212)
fails here."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import exitanalysis
from conftest import ROOT

MODULES = sorted(m.name for m in pkgutil.walk_packages(exitanalysis.__path__, "exitanalysis.")
                 if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # examples name the bundled config by its relative path
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
