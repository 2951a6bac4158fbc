"""Shared fixtures: the project root, the default config, a CLI runner."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/helpers.py

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = ROOT / "configs" / "exitpakke.yaml"
def pytest_configure(config: pytest.Config) -> None:
    """The notebooks name the kernel "Python (exitanalysis)" (`make setup` installs it): a
    plain `pytest` in a fresh environment installs it too, so nbval finds it."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    from exitanalysis.lab import KERNEL_NAME, install_kernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        install_kernel()


#: Screenshots of the browser tests, for a reviewer.
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _chromium() -> str:
    path = os.environ.get("EXITANALYSIS_CHROMIUM") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is needed for the browser tests: `make browser` installs "
                    "Debian's chromium (or set EXITANALYSIS_CHROMIUM to a Chromium binary)")
    return path


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's, driven by Playwright), one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


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


def _run_default(out: Path, *args: str) -> Path:
    from exitanalysis.cli import main

    assert main(["run", str(DEFAULT_CONFIG), "--out", str(out), *args]) == 0
    return out / "exitpakke"


@pytest.fixture(scope="session")
def default_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default run (every notebook executed), once per test session."""
    return _run_default(tmp_path_factory.mktemp("reports"))


@pytest.fixture(scope="session")
def danish_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run_default(tmp_path_factory.mktemp("reports-da"), "--language", "da")


@pytest.fixture(scope="session")
def public_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run_default(tmp_path_factory.mktemp("reports-public"), "--audience", "public")


@pytest.fixture(autouse=True)
def _close_figures() -> object:
    """Close the figures a test drew: a result's .plot() leaves its figure open, as it should
    in a notebook, and dozens of them in one worker waste memory."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
