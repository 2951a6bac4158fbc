"""The command line (CONTRACT §1): help, version, exit codes, no tracebacks for mistakes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import exitanalysis as xa
from conftest import DEFAULT_CONFIG
from helpers import PERSONS, tables, write_programme


def test_console_script_help_and_version() -> None:
    result = subprocess.run([sys.executable, "-m", "exitanalysis", "--help"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for word in ("run", "validate", "synth", "exit codes", "3  another run"):
        assert word in result.stdout
    script = Path(sys.executable).with_name("exitanalysis")  # the installed console script
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                             check=False)
    assert version.stdout.strip() == f"exitanalysis {xa.__version__}"


@pytest.mark.parametrize("command", ["run", "validate", "synth"])
def test_every_command_has_help(cli, command: str) -> None:
    outcome = cli(command, "--help")
    assert outcome.code == 0
    assert "usage: exitanalysis " + command in outcome.out


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "the following arguments are required: COMMAND"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
        (("run", str(DEFAULT_CONFIG), "--language", "de"), "invalid choice: 'de'"),
        (("run", str(DEFAULT_CONFIG), "--jobs", "two"), "invalid int value: 'two'"),
        (("run", str(DEFAULT_CONFIG), "--jobs", "0"), "--jobs must be at least 1"),
        (("run", str(DEFAULT_CONFIG), "--only", "nosuch"),
         "--only: unknown notebook(s) nosuch; available: data_overview"),
        (("validate", "configs/none.yaml"), "config file not found: configs/none.yaml"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(cli, args: tuple[str, ...], message: str) -> None:
    outcome = cli(*args)
    assert outcome.code == 2
    assert message in outcome.err
    assert "Traceback" not in outcome.err


def test_validate_accepts_the_default_config(cli) -> None:
    outcome = cli("validate", DEFAULT_CONFIG)
    assert outcome.code == 0, outcome.err
    assert "OK: 4 table(s), no problems" in outcome.out
    assert "persons     data/synthetic/persons.csv" in outcome.out
    assert "synthetic" in outcome.out


def test_public_audience_is_refused_until_disclosure_control_exists(cli, tmp_path) -> None:
    outcome = cli("run", DEFAULT_CONFIG, "--audience", "public", "--out", tmp_path)
    assert outcome.code == 2
    assert "audience 'public' is not available yet" in outcome.err
    assert not (tmp_path / "exitpakke").exists()


def test_validate_accepts_a_danish_style_export(cli, tmp_path) -> None:


    persons = PERSONS.copy()
    persons["first_contact"] = pd.to_datetime(persons["first_contact"]).dt.strftime("%d-%m-%Y")
    persons["included"] = persons["included"].map({"true": "ja", "false": "nej"})
    config = write_programme(tmp_path, tables(persons=persons), encoding="cp1252", sep=";",
                             newline="\r\n")
    outcome = cli("validate", config)
    assert outcome.code == 0, outcome.err
    assert "CSV, Windows-1252, ';'-separated" in outcome.out
    assert "OK: 4 table(s), no problems" in outcome.out
