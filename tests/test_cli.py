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
    for word in ("run", "validate", "synth", "shortfall", "exit codes", "3  another run"):
        assert word in result.stdout
    script = Path(sys.executable).with_name("exitanalysis")  # the installed console script
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                             check=False)
    assert version.stdout.strip() == f"exitanalysis {xa.__version__}"


@pytest.mark.parametrize("command", ["run", "validate", "synth", "shortfall"])
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
        (("shortfall", "--target", "465", "--recruited", "64", "--duration", "48"),
         "the following arguments are required: --elapsed"),
        (("shortfall", "--target", "465", "--recruited", "64", "--duration", "48",
          "--elapsed", "60"), "shortfall: --elapsed: expected a number ≤ 48"),
        (("shortfall", "--target", "465", "--recruited", "64", "--duration", "48",
          "--elapsed", "24", "--prior-weight", "strong"),
         "shortfall: --prior-weight: expected a number in [0, 1], 'accelerated' or 'hedging'"),
        (("shortfall", "--target", "465", "--recruited", "64", "--duration", "48",
          "--elapsed", "24", "--at", "12"),
         "shortfall: --at: 12 is before elapsed (24); forecasts look ahead"),
        # Degenerate numbers that used to print "100 %", a NaN error or a count of millions.
        (("shortfall", "--target", "465", "--recruited", "64", "--duration", "48",
          "--elapsed", "0"), "shortfall: --elapsed: is 0, but there are recruits"),
        (("shortfall", "--target", "465", "--recruited", "64", "--duration", "inf",
          "--elapsed", "24"), "shortfall: --duration: expected a finite number"),
        (("shortfall", "--target", "465", "--recruited", "64", "--duration", "nan",
          "--elapsed", "24"), "shortfall: --duration: expected a finite number"),
        (("shortfall", "--target", "1000000000", "--recruited", "64", "--duration", "48",
          "--elapsed", "24", "--prior-weight", "hedging"),
         "shortfall: --target: expected a whole number between 1 and 1,000,000"),
        (("shortfall", "--target", "465", "--recruited", "0", "--duration", "48",
          "--elapsed", "24", "--prior-weight", "0"),
         "shortfall: --prior-weight: 0 (the data alone) needs at least one recruit"),
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
    # the last date in the data is one person's: the log gets its month only
    assert "as_of 2023-06 (the month of the last date in the data)" in outcome.out
    assert "2023-06-30" not in outcome.out


def test_an_internal_error_prints_no_data(cli, monkeypatch) -> None:
    import exitanalysis.data.programme as data

    def broken(config):
        raise KeyError("SYN-0001")

    monkeypatch.setattr(data, "load_programme", broken)
    outcome = cli("validate", DEFAULT_CONFIG)
    assert outcome.code == 1
    assert "internal error (KeyError)" in outcome.err and "SYN-0001" not in outcome.err


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


SHORTFALL = ("shortfall", "--target", "465", "--recruited", "64", "--duration", "48",
             "--elapsed", "24")
FORECAST_KEYS = {"target", "recruited", "duration", "elapsed", "prior_weight", "p_reach_target",
                 "final_count", "time_to_target", "observed_rate", "required_rate",
                 "pace_ratio"}


def test_shortfall_json_has_the_manifest_keys(cli) -> None:
    import json

    outcome = cli(*SHORTFALL, "--json")
    assert outcome.code == 0, outcome.err
    result = json.loads(outcome.out)
    assert set(result) >= FORECAST_KEYS and "count_at" not in result
    assert set(result["final_count"]) == {"mean", "q025", "q05", "q50", "q95", "q975"}
    assert set(result["time_to_target"]) == {"q025", "q05", "q50", "q95", "q975"}
    assert result["final_count"]["q50"] == 212  # CONTRACT §4's example
    with_at = json.loads(cli(*SHORTFALL, "--json", "--at", "36",
                             "--prior-weight", "hedging").out)
    assert with_at["count_at"]["time"] == 36.0
    assert set(with_at["count_at"]) == {"time", "mean", "q025", "q05", "q50", "q95", "q975"}
    assert with_at["prior_weight"] == "hedging"


def test_shortfall_text(cli) -> None:
    outcome = cli(*SHORTFALL, "--at", "36")
    assert outcome.code == 0
    assert "Probability of reaching the target by the end: 3.2e-39." in outcome.out
    assert "Count at time 36: median 138" in outcome.out
