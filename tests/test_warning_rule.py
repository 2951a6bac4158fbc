"""The early-warning rule: its false-alarm rate and detection, exact and checked by
simulating programmes month by month (a separate implementation of the rule: draw monthly
Poisson counts, add them up, compare with the boundaries)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from exitanalysis.models.history import Plan, RecruitmentHistory, month_frame, period_frame
from exitanalysis.models.monitoring import (
    obrien_fleming_spending,
    replay_warnings,
    warning_rule,
)

START, END = dt.date(2020, 1, 1), dt.date(2023, 12, 31)


def _simulate(rule, means: np.ndarray, programmes: int, seed: int) -> np.ndarray:
    """Month of the first warning (index) for simulated programmes; -1 if never."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(means[None, :], size=(programmes, len(means))).cumsum(axis=1)
    boundary = rule.boundaries["boundary"].to_numpy()
    warned = counts <= boundary[None, :]
    return np.where(warned.any(axis=1), warned.argmax(axis=1), -1)


def _means(period: pd.DataFrame, pace: float = 1.0) -> np.ndarray:
    return pace * 465 / 48 * (period["plan_time"] * period["exposure"]).to_numpy()


def test_the_spending_function_spends_alpha_by_the_end_and_little_early() -> None:
    spent = obrien_fleming_spending(0.10, np.array([0.0, 0.1, 0.25, 0.5, 1.0]))
    assert spent[0] == 0 and spent[-1] == pytest.approx(0.10) and np.all(np.diff(spent) > 0)
    assert spent[1] < 1e-6  # O'Brien-Fleming-type: almost nothing before a tenth of the plan


def test_false_alarms_of_programmes_on_plan_match_simulation() -> None:
    # Reference: 40,000 simulated programmes recruiting exactly at the planned pace; the
    # exact rate must lie within 4 Monte Carlo standard errors, and within the 10% spent.
    period = period_frame(START, END, [])
    rule = warning_rule(period, target=465, duration=48.0)
    first = _simulate(rule, _means(period), 40_000, seed=3)
    simulated = float(np.mean(first >= 0))
    se = np.sqrt(simulated * (1 - simulated) / 40_000)
    assert abs(rule.false_alarm - simulated) <= 4 * se, (rule.false_alarm, simulated)
    assert 0.09 <= rule.false_alarm <= 0.10


@pytest.mark.parametrize("pace", [0.3, 0.5, 0.8])
def test_detection_matches_simulation(pace: float) -> None:
    period = period_frame(START, END, [])
    rule = warning_rule(period, target=465, duration=48.0)
    first = _simulate(rule, _means(period, pace), 20_000, seed=int(pace * 10))
    row = rule.detection.set_index("pace").loc[pace]
    assert abs(row["p_by_end"] - np.mean(first >= 0)) <= 4 * np.sqrt(0.25 / 20_000)
    months = period["elapsed"].to_numpy()
    simulated_median = months[int(np.median(np.where(first >= 0, first, 10**6)))]
    assert simulated_median == row["month_median"]


def test_a_ramp_up_plan_is_monitored_against_the_ramp() -> None:
    # Programmes that recruit exactly as a 12-month ramp-up plan says: the rule built on the
    # ramp keeps its false-alarm rate; a straight-line rule would warn far more often.
    ramp = period_frame(START, END, [], Plan.ramp(48.0, 12.0))
    straight = period_frame(START, END, [])
    means = _means(ramp)
    on_ramp = warning_rule(ramp, target=465, duration=48.0)
    naive = warning_rule(straight, target=465, duration=48.0)
    assert np.mean(_simulate(on_ramp, means, 20_000, seed=5) >= 0) <= 0.10 + 4 * 0.0021
    assert np.mean(_simulate(naive, means, 20_000, seed=5) >= 0) > 0.5


def test_a_published_figure_is_reviewed_only_when_published() -> None:
    period = period_frame(START, END, [])
    figure = month_frame(START, dt.date(2022, 1, 1), pd.Series(dtype=int), []).iloc[[-1]]
    figure = figure.assign(month="2022-01", recruited=64, cumulative=64)
    history = RecruitmentHistory(figure, pd.Series(dtype=int), "contacted", ("test", {}),
                                 period, snapshot=True)
    warning = replay_warnings(history, target=465, duration=48.0, start=START)
    assert warning.replay["month"].tolist() == ["2022-01"]
    assert warning.first_warning == "2022-01"
    boundary = warning.rule.boundary_at(24.0)
    assert warning.replay["boundary"].iloc[0] == boundary and 64 < boundary < 232


def test_the_case_replay_warns_at_the_first_month_below_the_boundary() -> None:
    counts = pd.Series({m: 2 for m in pd.period_range("2020-01", "2021-12", freq="M")
                        .astype(str)})
    history = RecruitmentHistory(month_frame(START, dt.date(2022, 1, 1), counts, []),
                                 pd.Series(dtype=int), "included", ("test", {}),
                                 period_frame(START, END, []))
    warning = replay_warnings(history, target=465, duration=48.0, start=START)
    replay = warning.replay
    below = replay[replay["recruited"] <= replay["boundary"]]
    assert warning.first_warning == below["month"].iloc[0]
    # Known only from that month's count and the boundary fixed in advance.
    row = warning.first_warning_row()
    assert row is not None and row["recruited"] == 2 * (replay.index[replay["month"] ==
                                                                     row["month"]][0] + 1)
