"""The synthetic programme: labelled, reproducible to the byte, calibrated, and true to the
parameters it documents."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import exitanalysis as xa
from conftest import DEFAULT_CONFIG, ROOT
from exitanalysis.data import synth

COMMITTED = ROOT / "data" / "synthetic"


@pytest.fixture(scope="module")
def programme() -> synth.SyntheticProgramme:
    return synth.generate(seed=20200101)


def test_same_seed_same_bytes_and_committed_data_is_current(tmp_path: Path, cli) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert cli("synth", "--out", first).code == 0
    assert cli("synth", "--out", second, "--seed", "20200101").code == 0
    names = sorted(p.name for p in first.iterdir())
    assert names == ["README.md", "activities.csv", "monthly.csv", "outcomes.csv",
                     "persons.csv", "referrals.csv", "truth.json"]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
        # data/synthetic/ is what `exitanalysis synth` writes today (run `make synth` if not)
        assert (first / name).read_bytes() == (COMMITTED / name).read_bytes(), name


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    a = synth.generate(seed=1).persons
    b = synth.generate(seed=2).persons
    assert not a.equals(b)


def test_every_row_and_file_is_labelled_synthetic() -> None:
    for name in ("persons", "activities", "outcomes", "referrals", "monthly"):
        frame = pd.read_csv(COMMITTED / f"{name}.csv", dtype=str)
        assert (frame["synthetic"] == "true").all(), name
    truth = json.loads((COMMITTED / "truth.json").read_text(encoding="utf-8"))
    assert truth["synthetic"] is True and "NOT REAL DATA" in truth["description"]
    assert "not real persons" in (COMMITTED / "README.md").read_text(encoding="utf-8")
    programme = xa.load_programme(xa.load_config(DEFAULT_CONFIG))
    assert programme.synthetic and all(s.synthetic_rows == s.rows for s in programme.sources)


def test_truth_is_written_beside_the_data_and_in_the_docstring(programme) -> None:
    truth = json.loads((COMMITTED / "truth.json").read_text(encoding="utf-8"))
    assert truth["parameters"] == synth.SyntheticTruth().to_json()
    assert truth["realised"] == programme.realised()
    doc = synth.generate.__doc__ or ""
    for key, value in truth["parameters"].items():
        assert f'"{key}"' in doc
        if isinstance(value, float | int) and not isinstance(value, bool):
            assert json.dumps(value) in doc, key


def test_generated_tables_pass_the_data_contract(tmp_path: Path, programme) -> None:
    # The committed files are read by the default config; validation must accept all of them,
    # monthly included (as the aggregate alternative).
    config = xa.load_config(DEFAULT_CONFIG)
    loaded = xa.load_programme(config)
    assert {s.name for s in loaded.sources} == {"persons", "activities", "outcomes", "referrals"}
    text = (
        "programme: {name: M, start: 2020-01-01, end: 2023-12-31, target: 465,\n"
        "  organisations: [{id: reden_kbh, name: A}, {id: reden_int, name: B},\n"
        "                  {id: liva, name: C}]}\n"
        f"data: {{monthly: {COMMITTED / 'monthly.csv'}}}\n"
    )
    monthly_config = tmp_path / "monthly.yaml"
    monthly_config.write_text(text, encoding="utf-8")
    monthly = xa.load_programme(xa.load_config(monthly_config)).monthly
    assert int(monthly["contacted"].sum()) == len(programme.persons)
    assert int(monthly["included"].sum()) == int(programme.persons["included"].sum())


def test_calibrated_to_the_published_64_by_the_middle_of_the_period(programme) -> None:
    truth = programme.truth
    rates = synth.daily_rates(truth)
    expected = rates.loc[rates.index < pd.Timestamp(truth.midpoint)].to_numpy().sum()
    assert expected == pytest.approx(64.0, rel=1e-12)
    realised = programme.realised()["contacted_before_midpoint"]
    # Poisson(64): the draw must be inside the central 99 % interval.
    low, high = stats.poisson.ppf([0.005, 0.995], 64)
    assert low <= realised <= high


def test_offline_outreach_collapses_in_lockdowns_online_does_not(programme) -> None:
    truth = programme.truth
    monthly = synth.monthly_rates(truth)
    spring, winter = pd.Period("2020-04", "M"), pd.Period("2021-01", "M")
    before = pd.Period("2020-02", "M")
    for channel in truth.offline_channels:
        assert monthly.loc[spring, channel] <= 0.15 * monthly.loc[before, channel]
        assert monthly.loc[winter, channel] <= 0.15 * monthly.loc[before, channel]
    assert monthly.loc[spring, "online_outreach"] >= 0.95 * monthly.loc[before, "online_outreach"]
    # The realised data show it too: offline contacts in full lockdown months are far below
    # the rest of 2020-2021.
    persons = programme.persons
    month = persons["first_contact"].dt.to_period("M")
    offline = persons["contact_channel"].isin(truth.offline_channels)
    lockdown = month.isin(pd.period_range("2020-04", "2020-05", freq="M").append(
        pd.period_range("2021-01", "2021-02", freq="M")))
    open_months = month.between(pd.Period("2020-01", "M"), pd.Period("2021-12", "M")) & ~lockdown
    rate_lockdown = (offline & lockdown).sum() / 4
    rate_open = (offline & open_months).sum() / 20
    assert rate_lockdown < 0.3 * rate_open


def test_population_shifts_online_and_reach_depends_on_the_channel(programme) -> None:
    truth = programme.truth
    shares = synth.arena_shares(truth, pd.DatetimeIndex([truth.start, truth.end]))
    assert shares["online"].iloc[1] > shares["online"].iloc[0] + 0.2
    # Street outreach reaches mostly people selling on the street, venue outreach venues.
    persons = programme.persons
    by_channel = pd.crosstab(persons["contact_channel"], persons["sales_channel"],
                             normalize="index")
    assert by_channel.loc["street_outreach", "street"] > 0.6
    assert by_channel.loc["venue_outreach", "venue"] > 0.6


def test_inclusion_model_recovered_on_a_large_draw() -> None:
    # Known truth: with a population 40 times larger, the observed inclusion share among
    # online sellers contacted through outreach matches the logistic model within its
    # binomial interval.
    truth = synth.SyntheticTruth(hidden_population=60_000, contacted_by_midpoint=2560.0)
    big = synth.generate(seed=7, truth=truth).persons
    # A closure before 2023-06 censors nothing here: look only at contacts before 2022.
    early = big[big["first_contact"] < "2022-01-01"]
    for arena, channel in (("street", "street_outreach"), ("venue", "venue_outreach")):
        cell = early[(early["sales_channel"] == arena) & (early["contact_channel"] == channel)]
        logit = truth.inclusion_logit["intercept"] + truth.inclusion_logit.get(
            f"arena:{arena}", 0.0) + truth.inclusion_logit.get(f"channel:{channel}", 0.0)
        p = 1 / (1 + np.exp(-logit))
        low, high = stats.binom.ppf([0.0005, 0.9995], len(cell), p) / len(cell)
        assert low <= cell["included"].mean() <= high, (arena, channel, len(cell))


def test_outcome_effects_are_present_in_the_data(programme) -> None:
    # Employment is more often achieved after a group course (true log-odds effect 0.9).
    truth = synth.SyntheticTruth(hidden_population=30_000, contacted_by_midpoint=1280.0)
    big = synth.generate(seed=11, truth=truth)
    acts, outs = big.activities, big.outcomes
    courses = acts.loc[acts["component"] == "group_course"].groupby("person_id")["date"].min()
    employment = outs[outs["outcome"] == "employment"].copy()
    employment["course"] = employment["person_id"].map(courses) < employment["assessed_on"]
    share = employment.groupby("course")["achieved"].mean()
    assert share.loc[True] > share.loc[False] + 0.05
