"""Shared fixtures: the project root, the default config, a CLI runner."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/helpers.py

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = ROOT / "configs" / "exitpakke.yaml"


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture
def cli() -> Callable[..., Outcome]:
    """Run ``exitanalysis`` in-process and capture its exit code and output."""
    from exitanalysis.cli import main

    def run(*args: str) -> Outcome:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse
                code = int(exc.code or 0)
        return Outcome(code, out.getvalue(), err.getvalue())

    return run
