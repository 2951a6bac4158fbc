"""Time to an event: Kaplan–Meier curves and the log-rank test against R's printed output for the
Freireich 6-MP trial (tests/reference/km_gehan.md), a hand computation of the product-limit
estimate and Greenwood's variance, known truths recovered by simulation (median intervals,
the band, the log-rank test's size, and its weakness when curves cross), the time to a first
outcome from the programme's tables with its landmark comparison, coarsening for a public
report, and the figure."""

from __future__ import annotations

import dataclasses
import math
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # this test process only

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from exitanalysis.errors import ArgumentError
from exitanalysis.models.survival import (
    COLUMNS,
    MONTH_DAYS,
    hall_wellner,
    kaplan_meier,
    time_to_first_outcome,
)

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def gehan() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "km_gehan.csv")


def test_kaplan_meier_matches_r_survfit_row_by_row(gehan) -> None:
    # R: survminer::surv_summary(survfit(Surv(time, cens) ~ treat, data = MASS::gehan)),
    # printed in a public R markdown page (tests/reference/km_gehan.md, source 1). R's
    # default conf.type is "log"; tolerance 5e-8, half a unit in the 8th decimal printed.
    printed = pd.read_csv(REFERENCE / "km_gehan_survfit.csv")
    curves = kaplan_meier(gehan["time"], gehan["cens"], gehan["treat"], transform="log")
    ours = curves.to_frame()
    ours = ours[ours["time"] > 0].reset_index(drop=True)  # R's table has no row at 0
    assert list(ours["group"]) == list(printed["treat"])
    assert list(ours["time"]) == list(printed["time"].astype(float))
    for mine, theirs in [("at_risk", "n.risk"), ("events", "n.event"), ("censored", "n.censor")]:
        assert list(ours[mine]) == list(printed[theirs])
    np.testing.assert_allclose(ours["survival"], printed["surv"], atol=5e-8)
    np.testing.assert_allclose(ours["low"], printed["lower"], atol=5e-8)  # NaN where S = 0
    np.testing.assert_allclose(ours["high"], printed["upper"], atol=5e-8)
    # Greenwood: statsmodels' se(S) is S times R's std.err (the se of the cumulative hazard).
    from statsmodels.duration.survfunc import SurvfuncRight

    for group, part in gehan.groupby("treat"):
        fit = SurvfuncRight(part["time"], part["cens"])
        rows = printed[(printed["treat"] == group) & (printed["n.event"] > 0)
                       & np.isfinite(printed["std.err"])]
        np.testing.assert_allclose(fit.surv_prob_se[: len(rows)] / fit.surv_prob[: len(rows)],
                                   rows["std.err"], rtol=5e-8)


def test_log_rank_medians_and_13_weeks_match_the_textbook(gehan) -> None:
    curves = kaplan_meier(gehan["time"], gehan["cens"], gehan["treat"], time_unit="weeks",
                          by="treat")
    logrank = curves.logrank
    assert logrank is not None and logrank.df == 1
    # R: survdiff(Surv(time, cens) ~ treat, data = MASS::gehan) prints Chisq= 16.8 on 1 df,
    # p= 4e-05, and N / Observed / Expected 21 9 19.3 and 21 21 10.7 (one decimal: 0.05).
    # Kleinbaum & Klein (2012), ch. 2: 16.79 (two decimals: 0.005).
    assert logrank.statistic == pytest.approx(16.8, abs=0.05)
    assert logrank.statistic == pytest.approx(16.79, abs=0.005)
    assert 3.5e-5 <= logrank.p_value <= 4.5e-5
    table = logrank.table.set_index("group")
    assert table.loc["6-MP", "observed"] == 9 and table.loc["control", "observed"] == 21
    assert table.loc["6-MP", "expected"] == pytest.approx(19.3, abs=0.05)
    assert table.loc["control", "expected"] == pytest.approx(10.7, abs=0.05)
    assert table["expected"].sum() == pytest.approx(30)  # O and E add up to the same total
    # Kleinbaum & Klein: S(13) = 0.690 for 6-MP (R: 0.69019608 = 44352/64260).
    at = curves.at([13]).set_index("group")
    assert at.loc["6-MP", "survival"] == pytest.approx(44352 / 64260, abs=1e-12)
    assert at.loc["6-MP", "survival"] == pytest.approx(0.6902, abs=5e-5)
    assert at.loc["6-MP", "at_risk"] == 12 and at.loc["control", "at_risk"] == 4  # 15, 17, 22, 23
    # Medians 23 and 8 weeks. Intervals: R's rule on its printed log-scale limits gives
    # 16 to not reached (6-MP) and 4 to 12 (control), see km_gehan.md; log-log: 13 and 4 to 11.
    for transform, expected in [("log", {"6-MP": (23, 16, math.nan), "control": (8, 4, 12)}),
                                ("log-log", {"6-MP": (23, 13, math.nan),
                                             "control": (8, 4, 11)})]:
        medians = kaplan_meier(gehan["time"], gehan["cens"], gehan["treat"],
                               transform=transform).medians().set_index("group")
        for group, values in expected.items():
            got = tuple(medians.loc[group, ["median", "median_low", "median_high"]])
            np.testing.assert_array_equal(got, values)
    summary = curves.summary()
    assert "median 23 weeks (95% interval 13 to beyond follow-up)" in summary
    assert "chi-square 16.79 on 1 df, p < 0.001" in summary


def test_product_limit_and_greenwood_by_hand() -> None:
    # 1, 2, 2, 3+, 4, 5+: S(1) = 5/6; S(2) = 5/6 · 3/5 = 1/2; S(4) = 1/2 · 1/2 = 1/4.
    # Greenwood: Var S(4) = (1/4)² (1/(6·5) + 2/(5·3) + 1/(2·1)) = (1/16)(2/3) = 1/24;
    # Var S(2) = (1/2)² (1/30 + 2/15) = 1/24 too.
    curves = kaplan_meier([4, 2, 1, 5, 3, 2], [1, 1, 1, 0, 0, 1], transform="log")
    table = curves.to_frame()
    assert list(table["time"]) == [0, 1, 2, 3, 4, 5]
    assert list(table["at_risk"]) == [6, 6, 5, 3, 2, 1]
    assert list(table["events"]) == [0, 1, 2, 0, 1, 0]
    np.testing.assert_allclose(table["survival"], [1, 5 / 6, 1 / 2, 1 / 2, 1 / 4, 1 / 4])
    se = math.sqrt(1 / 24)
    z = 1.959963984540054
    row = table.iloc[4]  # log scale: S exp(± z se/S)
    assert row["low"] == pytest.approx(0.25 * math.exp(-z * se / 0.25))
    assert row["high"] == pytest.approx(min(1.0, 0.25 * math.exp(z * se / 0.25)))
    # S is exactly 1/2 from 2 up to 4: the median is the middle, 3 (R and SAS do the same).
    assert curves.medians()["median"].iloc[0] == pytest.approx(3.0)
    # R's quantile.survfit: "a horizontal segment at exactly 1-k, in which case the midpoint
    # of the horizontal segment is returned" (1, 2, 3, 4: 2.5, as the usual median), and a
    # flat at the end of the curve ends at the last time followed (2 to 6+: 4).
    assert kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1]).medians()["median"].iloc[0] == 2.5
    assert kaplan_meier([1, 2, 5, 6], [1, 1, 0, 0]).medians()["median"].iloc[0] == 4.0


def test_band_is_hall_wellner_with_n_and_statsmodels_uses_n_at_risk(gehan) -> None:
    from statsmodels.duration.survfunc import SurvfuncRight

    part = gehan[gehan["treat"] == "6-MP"]
    fit = SurvfuncRight(part["time"], part["cens"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        theirs = fit.simultaneous_cb(alpha=0.05, transform="log")
    # With the number at risk in place of n, the formula here is statsmodels' (its constant
    # 1.3581 is the 95% point of Kolmogorov's distribution, 1.35810 to 5 digits).
    ours = hall_wellner(fit.surv_prob, fit.surv_prob_se, fit.n_risk, critical=1.3581)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    curves = kaplan_meier(part["time"], part["cens"]).to_frame()
    events = curves[curves["events"] > 0]
    expected = hall_wellner(fit.surv_prob, fit.surv_prob_se, 21)
    np.testing.assert_allclose(events[["band_low", "band_high"]].to_numpy().T, expected)


def _censored_exponential(rng: np.random.Generator, n: int, rate: float,
                          follow: float) -> tuple[np.ndarray, np.ndarray]:
    times = rng.exponential(1 / rate, n)
    ends = rng.uniform(0, follow, n)
    return np.minimum(times, ends), times <= ends


def test_median_interval_and_band_cover_the_truth() -> None:
    # Known truth: exponential times with rate 0.1 a month, median ln 2 / 0.1 = 6.93 months;
    # censoring uniform on 0-30 months (about a third censored); 80 persons; 500 programmes.
    rng = np.random.default_rng(20240312)
    rate, replications = 0.1, 500
    truth = math.log(2) / rate
    covered = {"log-log": 0, "log": 0}
    band = 0
    for _ in range(replications):
        durations, seen = _censored_exponential(rng, 80, rate, 30.0)
        for transform in covered:
            curves = kaplan_meier(durations, seen, transform=transform)
            row = curves.medians().iloc[0]
            high = row["median_high"] if math.isfinite(row["median_high"]) else math.inf
            covered[transform] += row["median_low"] <= truth <= high
        table = curves.to_frame()  # the band, over the range of the event times
        table = table[(table["events"] > 0) & (table["survival"] > 0)]
        time = table["time"].to_numpy()
        after = np.r_[time[1:], time[-1]]  # the curve is flat until the next event
        band += bool(np.all(np.exp(-rate * time) <= table["band_high"])
                     and np.all(np.exp(-rate * after) >= table["band_low"]))
    # Measured: median intervals cover 479 (log-log) and 474 (log) of 500; the band holds the
    # whole true curve in 473 of 500. Binomial at 95%: 475 ± 4.9 (sd); allow 460-490 (3 sd).
    for transform, hits in covered.items():
        assert 460 <= hits <= 490, (transform, hits)
    assert 460 <= band <= 490, band


def test_log_rank_size_and_its_weakness_when_curves_cross() -> None:
    rng = np.random.default_rng(7)
    groups = np.repeat(["a", "b"], 100)

    def rejections(other, replications: int) -> int:
        hits = 0
        for _ in range(replications):
            times = np.r_[rng.exponential(10.0, 100), other(100)]
            ends = rng.uniform(0, 30, 200)
            logrank = kaplan_meier(np.minimum(times, ends), times <= ends, groups).logrank
            assert logrank is not None
            hits += logrank.p_value < 0.05
        return hits

    # Null: the same exponential in both groups. Measured 43 of 1,000 rejections at 5%;
    # binomial 50 ± 6.9 (sd): allow 30-70.
    null = rejections(lambda n: rng.exponential(10.0, n), 1000)
    assert 30 <= null <= 70, null
    # Off the model: a Weibull with shape 2 and the same median (6.93) crosses the
    # exponential there; the curves differ by 0.19 at 15 months (0.22 against 0.04), yet the
    # log-rank test, which weighs early and late differences against each other, rejects in
    # only 152 of 400 (38%, measured). With proportional hazards (hazard ratio 2) the same
    # test and sample size reject in 397 of 400.
    scale = 10.0 * math.log(2) / math.sqrt(math.log(2))
    crossing = rejections(lambda n: scale * rng.weibull(2.0, n), 400)
    proportional = rejections(lambda n: rng.exponential(5.0, n), 400)
    assert crossing < 200 and proportional > 360, (crossing, proportional)


def _programme(rng: np.random.Generator, n: int, *, rate: float = 0.12,
               sessions: float = 0.25) -> tuple[pd.DataFrame, ...]:
    """Included persons assessed monthly until they drop out (after 1-12 months). The outcome
    comes at an exponential time (``rate`` a month) and, once reached, is seen at every later
    assessment; a component's sessions come at ``sessions`` a month over the follow-up,
    unrelated to the outcome (no effect). Returns persons, outcomes, activities and each
    person's time to the end of follow-up in months with whether it ends in the outcome."""
    start = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    ids = [f"P{i:04d}" for i in range(n)]
    reach = rng.exponential(1 / rate, n)
    last = rng.integers(1, 13, n)
    persons = pd.DataFrame({"person_id": ids, "included": True, "inclusion_date": start,
                            "organisation": rng.choice(["x", "y"], n)})
    records, ends, seen = [], [], []
    for i in range(n):
        months = np.arange(1, last[i] + 1)
        hit = months >= reach[i]
        stop = months[hit][0] if hit.any() else months[-1]
        ends.append(stop)
        seen.append(hit.any())
        for k, achieved in zip(months, hit, strict=True):
            records.append((ids[i], start[i] + pd.Timedelta(days=round(k * MONTH_DAYS)),
                            "employment", bool(achieved)))
    outcomes = pd.DataFrame(records, columns=["person_id", "assessed_on", "outcome", "achieved"])
    counts = rng.poisson(sessions * last)
    who = np.repeat(np.arange(n), counts)
    days = rng.uniform(0, last[who] * MONTH_DAYS)
    activities = pd.DataFrame({"person_id": np.array(ids)[who],
                               "date": start[who] + pd.to_timedelta(days.astype(int), unit="D"),
                               "component": "home_visit"})
    return persons, outcomes, activities, np.array(ends), np.array(seen), days / MONTH_DAYS, who


def test_the_landmark_avoids_the_immortal_time_bias_of_naive_groups() -> None:
    # Known truth: the component has no effect. Grouping by "received it before the outcome
    # or the end of follow-up" credits receivers with the time they had to stay without the
    # outcome to receive it; the landmark groups (received in the first 3 months, persons
    # followed beyond 3 months) do not. 150 programmes of 300 persons.
    rng = np.random.default_rng(31)
    naive = landmark = 0
    replications = 150
    for _ in range(replications):
        persons, outcomes, activities, ends, seen, when, who = _programme(rng, 300)
        before_end = np.zeros(len(ends), dtype=bool)
        before_end[who[when < ends[who]]] = True
        logrank = kaplan_meier(ends, seen, np.where(before_end, "yes", "no")).logrank
        naive += logrank is not None and logrank.p_value < 0.05
        curves = time_to_first_outcome(persons, outcomes, activities, as_of="2023-06-30",
                                       by="home_visit")
        assert curves.logrank is not None and curves.landmark == 3.0
        landmark += curves.logrank.p_value < 0.05
    # Measured: the naive groups reject a true null in 150 of 150 programmes; the landmark
    # groups in 13 (8.7%; in a separate run of 600 programmes of 200 persons, 27, 4.5%).
    # Binomial at 5%: 7.5 ± 2.7 (sd); allow up to 16 (3 sd).
    assert naive >= 140, naive
    assert landmark <= 16, landmark


def test_time_to_first_outcome_event_censoring_and_who_is_in() -> None:
    day = pd.Timestamp
    persons = pd.DataFrame({
        "person_id": ["a", "b", "c", "d", "e", "f", "g"],
        "included": [True, True, True, True, False, True, True],
        "inclusion_date": [day("2021-01-01"), day("2021-01-01"), day("2021-02-01"),
                           day("2021-03-01"), pd.NaT, day("2022-06-01"), day("2021-04-01")],
        "organisation": ["x", "x", "y", "y", "x", "y", "x"],
    })
    outcomes = pd.DataFrame([
        ("a", "2021-01-01", "employment", True),  # on the day of inclusion: a baseline
        ("a", "2021-07-01", "own_housing", False),
        ("a", "2022-01-01", "employment", True),  # a: event at 365 days
        ("b", "2021-07-01", "employment", False),
        ("b", "2021-10-01", "employment", False),  # b: censored at 273 days, not at as_of
        ("b", "2022-09-01", "employment", True),  # after as_of: not yet known
        ("c", "2021-08-01", "own_housing", True),  # c: any outcome at 181 days
        ("d", "2021-03-01", "employment", False),  # d: only a baseline, no follow-up
        ("e", "2021-06-01", "employment", True),  # e: not included
        ("f", "2022-07-01", "employment", True),  # f: included after as_of
        ("zz", "2021-06-01", "employment", True),  # not a known person
    ], columns=["person_id", "assessed_on", "outcome", "achieved"])
    activities = pd.DataFrame({"person_id": ["a", "b", "b"], "component": "group_course",
                               "date": ["2021-02-01", "2021-05-01", "2021-03-01"]})
    as_of = "2022-03-31"
    table = time_to_first_outcome(persons, outcomes, as_of=as_of).to_frame()
    # c at 181 days (month 6), b at 273 (8.97: month 9), a at 365 (month 12).
    assert list(table["time"]) == [0.0, 6.0, 9.0, 12.0]
    assert list(table["events"]) == [0, 1, 0, 1] and list(table["censored"]) == [0, 0, 1, 0]
    assert list(table["at_risk"]) == [3, 3, 2, 1]
    curves = time_to_first_outcome(persons, outcomes, as_of=as_of)
    assert curves.event == "first outcome" and curves.origin == "inclusion"
    assert any("2 included person(s) had no assessment" in note for note in curves.notes)
    # Employment only: c's housing is not the event, and c has no employment assessment.
    employment = time_to_first_outcome(persons, outcomes, as_of=as_of, outcome="employment")
    assert list(employment.to_frame()["events"]) == [0, 0, 1] and employment.event == "employment"
    by_organisation = time_to_first_outcome(persons, outcomes, as_of=as_of, by="organisation")
    assert by_organisation.groups == ["x", "y"] and by_organisation.logrank is not None
    # Landmark at 3 months: a, b and c are all followed beyond it; a received the course in
    # month 1, b in month 2 (the April session is after it: only one counts); c did not.
    landmark = time_to_first_outcome(persons, outcomes, activities, as_of=as_of,
                                     by="group_course")
    assert landmark.to_frame().groupby("group")["at_risk"].first().to_dict() == {
        "not_received": 1, "received": 2}
    late = time_to_first_outcome(persons, outcomes, activities, as_of=as_of,
                                 by="group_course", landmark=7)  # c's event is at month 6
    assert "1 person(s) with the outcome or their last assessment within 7 months" in \
        late.summary()
    assert "immortal-time bias" in late.summary()
    # No one's row order matters.
    shuffled = time_to_first_outcome(persons.sample(frac=1, random_state=1),
                                     outcomes.sample(frac=1, random_state=2), as_of=as_of)
    pd.testing.assert_frame_equal(shuffled.to_frame(), curves.to_frame())


def test_the_synthetic_course_effect_is_recovered() -> None:
    # The generator (data/synth.py) draws employment at the 6-month assessment with log-odds
    # -2.2 + 0.9 course + 0.2 conversations (at least 4 by then: Poisson(7.2) ≥ 4, p = 0.928)
    # + 0.1 support (any of 0.7 sessions a month: 1 - e^-4.2 = 0.985). The course (weekly
    # from the second week, eight sessions) is received within 3 months by those who take
    # it. The share employed by 6.5 months in each landmark group must hold the truth.
    from exitanalysis.data import synth

    def expected(course: float) -> float:
        total = 0.0
        for conversations, p_c in ((1, 0.928), (0, 0.072)):
            for support, p_s in ((1, 1 - math.exp(-4.2)), (0, math.exp(-4.2))):
                logit = -2.2 + 0.9 * course + 0.2 * conversations + 0.1 * support
                total += p_c * p_s / (1 + math.exp(-logit))
        return total

    truth = dataclasses.replace(synth.SyntheticTruth(), contacted_by_midpoint=300.0)
    covered = {"received": 0, "not_received": 0}
    seeds = range(8)
    for seed in seeds:
        programme = synth.generate(seed=seed, truth=truth)
        curves = time_to_first_outcome(programme.persons, programme.outcomes,
                                       programme.activities, as_of=truth.closure,
                                       outcome="employment", by="group_course")
        at = curves.at([6.5]).set_index("group")
        for group, course in (("received", 1.0), ("not_received", 0.0)):
            share = 1 - at.loc[group, ["survival", "high", "low"]].to_numpy(dtype=float)
            covered[group] += share[1] <= expected(course) <= share[2]
    # Truth 0.266 with the course, 0.128 without. Measured: 7 and 8 of 8; at least 6
    # (P(fewer | 95%) = 0.006). Over 30 programmes: 29 of 30 each, and the estimates average
    # 0.274 and 0.126, the shares employed in those programmes' data (0.274, 0.127). With
    # times in days instead of whole months they averaged 0.293 (see the function's Notes).
    assert all(hits >= 6 for hits in covered.values()), covered


def test_coarsened_curves_hide_small_counts() -> None:
    rng = np.random.default_rng(5)
    durations, seen = _censored_exponential(rng, 60, 0.1, 24.0)
    groups = np.r_[np.repeat(["a", "b"], 28), ["c"] * 4]
    curves = kaplan_meier(durations, seen, groups)
    coarse = curves.coarsened(5)
    table = coarse.to_frame()
    assert list(table.columns) == list(COLUMNS) and coarse.min_cell == 5
    assert np.all(table["time"] == np.floor(table["time"]))
    assert table["at_risk"].min() >= 5 and coarse.groups == ["a", "b"]
    assert coarse.logrank is not None and coarse.logrank.table is None
    assert any("fewer than 5 persons: c" in note for note in coarse.notes)
    # The same curve as the one of times rounded to whole months, cut where < 5 are at risk.
    rounded = kaplan_meier(np.floor(durations + 0.5), seen, groups).to_frame()
    expected = rounded[rounded["at_risk"] >= 5].reset_index(drop=True)
    pd.testing.assert_frame_equal(table, expected)
    medians = coarse.medians()
    assert np.all(np.isnan(medians["median"]) | (medians["median"] == np.floor(medians["median"])))
    beyond = coarse.at([100.0])
    assert beyond["at_risk"].isna().all() and beyond["survival"].isna().all()
    with pytest.raises(ArgumentError, match="min_cell: expected a whole number ≥ 1"):
        curves.coarsened(0)
    nothing = curves.coarsened(100)  # no group has 100 persons: nothing can be shown
    assert nothing.to_frame().empty and nothing.medians().empty and nothing.at([1.0]).empty


def test_invariants_and_the_median_interval_is_statsmodels_quantile_ci() -> None:
    from statsmodels.duration.survfunc import SurvfuncRight

    rng = np.random.default_rng(11)
    for _ in range(20):
        durations, seen = _censored_exponential(rng, 45, 0.15, 15.0)
        durations = np.round(durations, 1)  # ties
        for transform, method in (("log-log", "cloglog"), ("log", "log")):
            curves = kaplan_meier(durations, seen, transform=transform)
            table = curves.to_frame().dropna()
            assert np.all(table["low"] <= table["survival"] + 1e-12)
            assert np.all(table["survival"] <= table["high"] + 1e-12)
            assert np.all(table["band_low"] <= table["survival"] + 1e-12)
            assert np.all(table["survival"] <= table["band_high"] + 1e-12)
            row = curves.medians().iloc[0]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                low, high = SurvfuncRight(durations, seen).quantile_ci(0.5, method=method)
            assert row["median_low"] == pytest.approx(low, nan_ok=True)
            assert row["median_high"] == pytest.approx(high if np.isfinite(high) else np.nan,
                                                       nan_ok=True)
        order = rng.permutation(len(durations))
        pd.testing.assert_frame_equal(kaplan_meier(durations[order], seen[order]).to_frame(),
                                      kaplan_meier(durations, seen).to_frame())


@pytest.mark.parametrize("call,message", [
    (lambda: kaplan_meier([1, -2], [1, 0]), "durations: expected finite times ≥ 0"),
    (lambda: kaplan_meier([1, 2], [1, 2]), "events: expected true/false or 1/0"),
    (lambda: kaplan_meier([1, 2], [1]), r"events: expected one value per duration \(2\)"),
    (lambda: kaplan_meier([1, 2], [1, 0], ["a", None]), "groups: expected a label for every"),
    (lambda: kaplan_meier([1, 2], [1, 0], level=1.0), "level: expected a number strictly"),
    (lambda: kaplan_meier([1, 2], [1, 0], transform="plain"),
     "transform: expected one of log-log, log"),
    (lambda: time_to_first_outcome(pd.DataFrame(), pd.DataFrame(), as_of="2021-13-45"),
     r"as_of: expected a date \(YYYY-MM-DD\)"),
    (lambda: time_to_first_outcome(pd.DataFrame(), pd.DataFrame(), as_of="2021-01-01",
                                   outcome="happiness"), "outcome: expected one of employment"),
    (lambda: time_to_first_outcome(pd.DataFrame(), pd.DataFrame(), as_of="2021-01-01",
                                   by="shoe_size"),
     r"by: expected a person column \(organisation, contact_channel"),
    (lambda: time_to_first_outcome(pd.DataFrame(), pd.DataFrame(), as_of="2021-01-01",
                                   by="home_visit"), "activities: needed to group by the comp"),
    (lambda: time_to_first_outcome(pd.DataFrame({"person_id": []}), pd.DataFrame(),
                                   as_of="2021-01-01"),
     "persons: expected the column\\(s\\) 'included', 'inclusion_date'"),
])
def test_errors_say_what_was_expected(call, message) -> None:
    with pytest.raises(ArgumentError, match=message):
        call()


def test_no_events_no_log_rank_and_the_summary_says_not_reached() -> None:
    curves = kaplan_meier([1, 2, 3, 4], [0, 0, 0, 0], ["a", "a", "b", "b"])
    assert curves.logrank is None and "No log-rank test" in curves.summary()
    assert not curves.medians()["reached"].any()
    assert "median not reached" in curves.summary()


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_figure_goes_up_with_bands_medians_and_alt_text(gehan, language) -> None:
    from exitanalysis.figures.style import alt_text, caption, is_marked_synthetic
    from exitanalysis.figures.survival import plot_survival

    curves = kaplan_meier(gehan["time"], gehan["cens"], gehan["treat"], time_unit="weeks",
                          by="treat")
    ax = plot_survival(curves, language=language, synthetic=True)
    try:
        # The curves rise: the share with the event (1 - S) ends at 1 for control.
        steps = [line for line in ax.get_lines() if len(line.get_xdata()) > 5]
        assert max(np.nanmax(line.get_ydata()) for line in steps) == pytest.approx(1.0)
        assert ax.get_ylim() == (0.0, 1.0) and len(ax.collections) == 2  # one band each
        text = alt_text(ax.figure, language)
        assert "6-MP: median 23" in text and ("(13.0 to" in text or "(13,0 til" in text
                                               or "(13,0 to" in text)
        assert "control: median 8" in text
        assert "Hall–Wellner" in caption(ax.figure)
        assert is_marked_synthetic(ax.figure)  # type: ignore[arg-type]
        assert ax.get_xlabel() == {"en": "Weeks since start", "da": "Uger siden start"}[language]
    finally:
        plt.close(ax.figure)
    ax = curves.plot()  # the result draws itself with the same function
    assert ax.get_title() == "Time to the event, by treat"
    plt.close(ax.figure)
    landmark = time_to_first_outcome(*_programme(np.random.default_rng(2), 120)[:3],
                                     as_of="2023-06-30", by="home_visit")
    ax = plot_survival(landmark.coarsened(5), keys=["not_received", "other", "received"])
    try:
        assert "received in the first 3 months" in " ".join(
            t.get_text() for t in ax.figure.legends[0].get_texts())
        assert ax.get_xlabel() == "Months since inclusion"
        colours = [line.get_color() for line in ax.get_lines()[:1]]
        assert colours == ["#0072B2"]  # not_received: the first of the keys
    finally:
        plt.close(ax.figure)
