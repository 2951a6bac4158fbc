"""Outcomes (models/outcomes.py, figures/outcomes.py): E-values against published values,
the funnel and the rates in distinct persons, odds ratios against the closed form of a 2 × 2
table, the synthetic truth recovered, an unmeasured confounder off the model, the fall-backs,
privacy of the results, and the figures."""

from __future__ import annotations

import dataclasses
import math

import matplotlib

matplotlib.use("Agg")  # this test process only

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from exitanalysis.errors import ArgumentError
from exitanalysis.figures.outcomes import plot_associations, plot_funnel, plot_outcome_rates
from exitanalysis.figures.style import alt_text, is_marked_synthetic
from exitanalysis.models.conversion import MIN_EVENTS, wilson_interval
from exitanalysis.models.outcomes import (
    ALL,
    MONTHS,
    component_associations,
    e_value,
    outcome_funnel,
    outcome_rates,
    risk_ratio_from_odds,
)

DAY = pd.Timestamp("2021-01-01")


# --- E-values ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rr,low,high,point,limit", [
    # VanderWeele & Ding (2017), Annals of Internal Medicine 167:268, worked example (Victora
    # et al. 1987: formula feeding and infant death from respiratory infection, RR 3.9,
    # 95% CI 1.8 to 8.7). The values are as R's EValue prints them in its vignette "E-values
    # for unmeasured confounding": evalues.OR(est = 3.9, lo = 1.8, hi = 8.7, rare = TRUE)
    # -> E-values 7.263034 and 3.0.
    (3.9, 1.8, 8.7, 7.263034, 3.0),
    # Same vignette: evalues.RR(est = 10.73, lo = 8.02, hi = 14.36) (Hammond & Horn 1958,
    # smoking and lung cancer) -> 20.94777 and 15.52336.
    (10.73, 8.02, 14.36, 20.94777, 15.52336),
    # Same vignette and ?evalues.RR (VanderWeele & Ding's breastfeeding and leukaemia
    # example, a protective RR): evalues.RR(est = 0.80, lo = 0.71, hi = 0.91) -> 1.809017 and,
    # for the upper limit, 1.428571.
    (0.80, 0.71, 0.91, 1.809017, 1.428571),
    # ?evalues.OR, example 2 (Hsu & Small 2013 lead data, log-linear model):
    # evalues.RR(2.466433, 1.672663, 3.63689) -> 4.368237 and 2.733388.
    (2.466433, 1.672663, 3.63689, 4.368237, 2.733388),
])
def test_e_value_matches_published_values(rr, low, high, point, limit) -> None:
    # R prints 7 significant digits (and its inputs above were printed the same way): a
    # relative tolerance of 2e-6 allows for that rounding and nothing more.
    got = e_value(rr, low, high)
    assert got[0] == pytest.approx(point, rel=2e-6)
    assert got[1] == pytest.approx(limit, rel=2e-6)


def test_common_outcome_odds_ratio_is_square_rooted_as_evalue_does() -> None:
    # ?evalues.OR (EValue 4.1.x reference page), example 1:
    # evalues.OR(0.86, 0.75, 0.99, rare = FALSE) -> RR 0.9273618 (0.8660254, 0.9949874),
    # E-values 1.3689529 (point) and 1.0761939 (upper limit). Tolerance: 7 printed digits.
    rr = [risk_ratio_from_odds(v, rare=False) for v in (0.86, 0.75, 0.99)]
    assert rr == pytest.approx([0.9273618, 0.8660254, 0.9949874], rel=1e-6)
    point, limit = e_value(*rr)
    assert (point, limit) == pytest.approx((1.3689529, 1.0761939), rel=1e-6)
    # A rare outcome keeps the odds ratio (VanderWeele & Ding 2017, Table 2).
    assert risk_ratio_from_odds(3.9, rare=True) == 3.9


def test_e_value_invariants_and_errors() -> None:
    # Symmetric in RR and 1/RR; 1 at RR = 1; increasing away from 1; 1 for an interval
    # that holds 1 (VanderWeele & Ding 2017); no limit without the limit closest to 1.
    for rr in (1.1, 1.7, 3.0, 12.0):
        assert e_value(rr)[0] == pytest.approx(e_value(1 / rr)[0])
        assert e_value(rr)[0] > e_value(rr ** 0.5)[0] > 1
    assert e_value(1.0) == (1.0, None)
    assert e_value(1.3, 0.9, 1.8) == (pytest.approx(e_value(1.3)[0]), 1.0)
    assert e_value(0.7, 0.4, 1.2)[1] == 1.0
    assert e_value(2.0, high=3.0)[1] is None and e_value(0.5, low=0.2)[1] is None
    with pytest.raises(ArgumentError, match=r"^rr: expected a finite ratio > 0$"):
        e_value(0.0)
    with pytest.raises(ArgumentError, match=r"^low: expected a lower limit no larger than rr$"):
        e_value(2.0, 2.5, 3.0)
    with pytest.raises(ArgumentError, match=r"^high: expected a finite ratio > 0$"):
        e_value(2.0, 1.5, math.inf)


# --- the funnel and the rates -----------------------------------------------------------------


def _small() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Twelve persons at two organisations (one with no organisation); p11 is assessed but
    not included; p01 is assessed twice for employment (achieved the second time)."""
    persons = pd.DataFrame({
        "person_id": [f"p{i:02d}" for i in range(12)],
        "organisation": ["A"] * 6 + ["B"] * 5 + [None],
        "included": [True] * 5 + [False] + [True] * 3 + [False, False, False],
    })
    outcomes = pd.DataFrame({
        "person_id": ["p00", "p01", "p01", "p02", "p03", "p06", "p07", "p00", "p06", "p11"],
        "outcome": ["employment"] * 7 + ["education"] * 2 + ["employment"],
        "achieved": [True, False, True, False, False, True, False, False, True, True],
    })
    return persons, outcomes


def test_funnel_counts_distinct_persons_once() -> None:
    persons, outcomes = _small()
    funnel = outcome_funnel(persons, outcomes, by="organisation")
    table = funnel.to_frame()
    overall = table[table["group"] == ALL].set_index(["step", "outcome"])
    # Hand counts: 12 contacted, 8 included; assessed p00-p03, p06, p07 (p11 is not
    # included); employment achieved by p00, p01 (second assessment), p06 of 6 assessed;
    # education by p06 of p00, p06.
    assert overall.loc[("contacted", ""), "persons"] == persons["person_id"].nunique() == 12
    assert overall.loc[("included", ""), ["persons", "lost"]].tolist() == [8, 4]
    assert overall.loc[("assessed", ""), ["persons", "from_persons", "lost"]].tolist() == [6, 8, 2]
    assert overall.loc[("achieved", "employment"), ["persons", "from_persons"]].tolist() == [3, 6]
    assert overall.loc[("achieved", "education"), ["persons", "from_persons"]].tolist() == [1, 2]
    assert overall.loc[("included", ""), "share_lost"] == pytest.approx(4 / 12)
    assert funnel.outcomes == ("employment", "education")  # the contract's order
    assert funnel.assessed_not_included == 1
    # Each person is in one group (the one without an organisation in "unknown"), so the
    # groups add up to every person at every step: no one is counted twice.
    groups = table[table["group"] != ALL].groupby(["step", "outcome"])[["persons",
                                                                         "from_persons"]].sum()
    assert groups.equals(overall[["persons", "from_persons"]].sort_index())
    assert set(table["group"]) == {ALL, "A", "B", "unknown"}
    # Row order does not matter.
    shuffled = outcome_funnel(persons.sample(frac=1, random_state=1),
                              outcomes.sample(frac=1, random_state=2), by="organisation")
    assert shuffled.to_frame().equals(table)
    assert "1 person(s) assessed but not included" in funnel.summary()


def test_funnel_of_a_synthetic_programme_holds_every_person_once() -> None:
    from exitanalysis.data import synth

    programme = synth.generate(seed=3)
    persons, outcomes = programme.persons, programme.outcomes
    for by in (None, "organisation", "contact_channel"):
        table = outcome_funnel(persons, outcomes, by=by).to_frame()
        overall = table[table["group"] == ALL]
        first = overall.set_index(["step", "outcome"])["persons"]
        assert first[("contacted", "")] == persons["person_id"].nunique()
        assert first[("included", "")] == persons.loc[persons["included"], "person_id"].nunique()
        assert first[("assessed", "")] == outcomes["person_id"].nunique()
        for outcome, mine in outcomes.groupby("outcome"):
            assert first[("achieved", outcome)] == mine.loc[mine["achieved"],
                                                            "person_id"].nunique()
        steps = overall[overall["step"] != "achieved"]["persons"].to_numpy()
        assert np.all(np.diff(steps) <= 0)  # a funnel only narrows
        if by:
            sums = table[table["group"] != ALL].groupby(["step", "outcome"])["persons"].sum()
            assert sums.equals(first.sort_index())


def test_outcome_rates_are_wilson_shares_of_distinct_persons() -> None:
    persons, outcomes = _small()
    rates = outcome_rates(persons, outcomes, by="organisation", level=0.9)
    table = rates.to_frame().set_index(["group", "outcome"])
    row = table.loc[(ALL, "employment")]
    assert (row["assessed"], row["achieved"]) == (6, 3)  # p01 once, p11 not included
    low, high = wilson_interval(3, 6, 0.9)
    assert (row["share_low"], row["share_high"]) == pytest.approx((float(low), float(high)))
    assert not table["enough"].any() and "too few to tell" in rates.summary()
    assert table.loc[("A", "employment"), ["assessed", "achieved"]].tolist() == [4, 2]
    assert table.loc[("unknown", "employment"), "assessed"] == 0
    assert math.isnan(table.loc[("unknown", "employment"), "share"])
    # Enough persons either way: enough.
    many = pd.DataFrame({"person_id": [f"q{i}" for i in range(2 * MIN_EVENTS)],
                         "included": True})
    marks = pd.DataFrame({"person_id": many["person_id"], "outcome": "employment",
                          "achieved": [True, False] * MIN_EVENTS})
    assert outcome_rates(many, marks).to_frame()["enough"].tolist() == [True]


@pytest.mark.parametrize("call,message", [
    (lambda p, o: outcome_rates(p, o, by="sales_channel"),
     r"^by: expected a column of persons; there is no 'sales_channel'$"),
    (lambda p, o: outcome_rates(p, o, level=95),
     r"^level: expected a number strictly between 0 and 1$"),
    (lambda p, o: outcome_funnel(pd.concat([p, p.iloc[:2]]), o),
     r"^persons: expected one row per person; 2 row\(s\) repeat a person_id$"),
    (lambda p, o: outcome_funnel(p, o.assign(person_id="x")),
     r"^outcomes: 10 row\(s\) name a person_id that is not in persons$"),
    (lambda p, o: outcome_funnel(p, o.drop(columns="achieved")),
     r"^outcomes: expected the column\(s\) 'achieved'$"),
])
def test_errors_name_the_argument(call, message) -> None:
    persons, outcomes = _small()
    with pytest.raises(ArgumentError, match=message):
        call(persons, outcomes)


# --- associations: closed form, rules, fall-backs ---------------------------------------------


def _two_by_two(a: int, b: int, c: int, d: int) -> tuple[pd.DataFrame, ...]:
    """Persons: ``a`` received the course and achieved, ``b`` received and did not, ``c``
    did not receive and achieved, ``d`` neither; all assessed 182 days after inclusion."""
    n = a + b + c + d
    ids = [f"t{i:04d}" for i in range(n)]
    course = [True] * (a + b) + [False] * (c + d)
    achieved = [True] * a + [False] * b + [True] * c + [False] * d
    persons = pd.DataFrame({"person_id": ids, "included": True, "inclusion_date": DAY,
                            "organisation": "A", "contact_channel": "drop_in"})
    activities = pd.DataFrame({"person_id": [i for i, k in zip(ids, course, strict=True) if k],
                               "component": "group_course", "date": DAY + pd.Timedelta(days=20)})
    outcomes = pd.DataFrame({"person_id": ids, "outcome": "employment",
                             "assessed_on": DAY + pd.Timedelta(days=182), "achieved": achieved})
    return persons, activities, outcomes


def test_odds_ratio_of_a_two_by_two_table_is_the_cross_product() -> None:
    # One exposure, nothing to adjust for (one organisation, one channel, everyone assessed
    # at the same time): the logistic regression is saturated, so its odds ratio is ad/bc and
    # its Wald interval Woolf's, exp(log OR ± z √(1/a + 1/b + 1/c + 1/d)) (Woolf 1955).
    a, b, c, d = 30, 20, 15, 35
    result = component_associations(*_two_by_two(a, b, c, d), "employment",
                                    components=["group_course"])
    row = result.to_frame().iloc[0]
    odds = a * d / (b * c)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = stats.norm.ppf(0.975)
    # Tolerances: statsmodels' IRLS stops when the deviance changes by less than 1e-8, which
    # leaves the standard error a few parts in 10⁷ from its limit (the p-value, in a tail,
    # moves 2.5 parts in 10⁶ here).
    assert row["odds_ratio"] == pytest.approx(odds, rel=1e-8)
    assert (row["or_low"], row["or_high"]) == pytest.approx(
        (odds * math.exp(-z * se), odds * math.exp(z * se)), rel=1e-6)
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(math.log(odds) / se), rel=1e-5)
    assert [row[k] for k in ("exposed", "exposed_achieved", "unexposed",
                             "unexposed_achieved")] == [a + b, a, c + d, c]
    # 45 % achieved: a common outcome, so the risk ratio is √OR and the E-values follow.
    assert not result.rare and result.prevalence == pytest.approx(0.45)
    assert row["risk_ratio"] == pytest.approx(math.sqrt(odds))
    assert (row["e_value"], row["e_value_limit"]) == pytest.approx(
        e_value(row["risk_ratio"], row["rr_low"], row["rr_high"]))
    assert result.adjusted_for == ()
    assert result.note == ("Left out organisation, contact_channel (one value among the "
                           "persons fitted); left out the months in the programme (the same "
                           "for everyone).")
    assert "associations, not effects" in result.summary()
    assert "who receives a component is not random" in result.summary()


def test_exposure_is_counted_before_the_last_assessment() -> None:
    # p0: two assessments; the course was between them, so at the last (which counts) it had
    # been received, and that assessment says achieved. p1: a session on the day of the
    # assessment does not count. p2: a second session needed (min_sessions 2), only one.
    persons = pd.DataFrame({"person_id": ["p0", "p1", "p2"], "included": True,
                            "inclusion_date": DAY})
    activities = pd.DataFrame({"person_id": ["p0", "p1", "p2"], "component": "group_course",
                               "date": [DAY + pd.Timedelta(days=200), DAY + pd.Timedelta(days=182),
                                        DAY + pd.Timedelta(days=10)]})
    outcomes = pd.DataFrame({"person_id": ["p0", "p0", "p1", "p2"], "outcome": "employment",
                             "assessed_on": [DAY + pd.Timedelta(days=d)
                                             for d in (182, 365, 182, 182)],
                             "achieved": [False, True, False, False]})
    with pytest.raises(ArgumentError, match=r"^adjust: expected columns of persons; there is "
                                            r"no 'organisation', 'contact_channel'$"):
        component_associations(persons, activities, outcomes, "employment")
    one = component_associations(persons, activities, outcomes, "employment", adjust=(),
                                 components={"course": (["group_course"], 1)}).to_frame()
    assert one.loc[0, ["exposed", "exposed_achieved", "unexposed"]].tolist() == [2, 1, 1]
    two = component_associations(persons, activities, outcomes, "employment", adjust=(),
                                 components={"course": ("group_course", 2)}).to_frame()
    assert two.loc[0, ["exposed", "unexposed"]].tolist() == [0, 3]
    assert not one["enough"].any() and one["odds_ratio"].isna().all()


def _mixed(rng: np.random.Generator, n: int = 200) -> tuple[pd.DataFrame, ...]:
    """Persons at three organisations; every person at ``C`` achieves (separation)."""
    ids = [f"m{i:04d}" for i in range(n)]
    organisation = rng.choice(["A", "B", "C"], size=n, p=[0.45, 0.45, 0.10])
    course = rng.random(n) < 0.5
    later = rng.random(n) < 0.5
    achieved = (organisation == "C") | (rng.random(n) < np.where(course, 0.45, 0.25))
    persons = pd.DataFrame({"person_id": ids, "included": True, "inclusion_date": DAY,
                            "organisation": organisation, "contact_channel": "drop_in"})
    activities = pd.DataFrame({"person_id": np.array(ids)[course], "component": "group_course",
                               "date": DAY + pd.Timedelta(days=30)})
    outcomes = pd.DataFrame({"person_id": ids, "outcome": "employment",
                             "assessed_on": DAY + pd.to_timedelta(np.where(later, 365, 182),
                                                                  unit="D"),
                             "achieved": achieved})
    return persons, activities, outcomes


def test_separation_falls_back_to_fewer_covariates_and_says_so() -> None:
    persons, activities, outcomes = _mixed(np.random.default_rng(5))
    result = component_associations(persons, activities, outcomes, "employment",
                                    components=["group_course"])
    assert result.requested == ("organisation", "contact_channel", MONTHS)
    assert result.adjusted_for == (MONTHS,)
    assert ("adjusted for organisation and the months in the programme did not converge"
            in result.note)
    assert "adjusted for the months in the programme only" in result.note
    assert math.isfinite(result.to_frame().loc[0, "odds_ratio"])
    # Without organisation C, the organisation is adjusted for.
    kept = persons["organisation"] != "C"
    ids = set(persons.loc[kept, "person_id"])
    fine = component_associations(persons[kept], activities[activities["person_id"].isin(ids)],
                                  outcomes[outcomes["person_id"].isin(ids)], "employment",
                                  components=["group_course"])
    assert fine.adjusted_for == ("organisation", MONTHS)


def test_too_few_events_gives_counts_but_no_odds_ratios() -> None:
    result = component_associations(*_two_by_two(2, 20, 1, 30), "employment",
                                    components=["group_course"])
    row = result.to_frame().iloc[0]
    assert math.isnan(row["odds_ratio"]) and row["exposed_achieved"] == 2
    assert result.note == (f"Fewer than {MIN_EVENTS} persons achieved employment, or did not: "
                           "no odds ratios.")
    assert result.adjusted_for == ()
    with pytest.raises(ArgumentError, match=r"^outcome: expected an outcome assessed in the "
                                            r"outcomes table \(employment\)$"):
        component_associations(*_two_by_two(2, 20, 1, 30), "education")
    with pytest.raises(ArgumentError, match=r"^components: 'course': expected a whole number "
                                            r"of sessions ≥ 1$"):
        component_associations(*_two_by_two(9, 20, 9, 30), "employment",
                               components={"course": (["group_course"], 0)})


# --- known truth ------------------------------------------------------------------------------

#: The generator's exposures (data/synth.py, _outcomes): ``course`` = any group-course session
#: before the assessment, ``conversations`` = at least four individual conversations before
#: it, ``support`` = any accompaniment, home visit or bisidning before it.
SYNTH_EXPOSURES = {"course": (["group_course"], 1),
                   "conversations": (["individual_conversation"], 4),
                   "support": (["accompaniment", "home_visit", "bisidning"], 1)}


def test_the_synthetic_truth_is_recovered() -> None:
    # The generator's outcome model (truth.outcome_logit) is a logistic regression on the
    # three exposures and the 12-month assessment; the time in the programme stands for the
    # latter (6 or 12 months), and organisation and contact channel have no true effect. So
    # the course's odds ratio for employment estimates exp(0.9) = 2.46. 20 programmes of
    # about 2,800 persons (about 1,300 assessed). Under these definitions almost everyone has
    # had conversations and support before the last assessment (1,291 and 1,304 of 1,308 in
    # seed 0), so those are mostly "too few to tell", and rightly so.
    from exitanalysis.data import synth

    truth = dataclasses.replace(synth.SyntheticTruth(), contacted_by_midpoint=1500.0)
    effect = math.exp(truth.outcome_logit["employment"]["course"])
    covered = 0
    for seed in range(20):
        programme = synth.generate(seed, truth)
        result = component_associations(programme.persons, programme.activities,
                                         programme.outcomes, "employment",
                                         components=SYNTH_EXPOSURES)
        assert result.adjusted_for == ("organisation", "contact_channel", MONTHS)
        course = result.to_frame().set_index("exposure").loc["course"]
        covered += course["or_low"] <= effect <= course["or_high"]
    # Measured: 17 of 20. Required: at least 17 (binomial(20, 0.95): P(fewer) = 0.016, the
    # rule of test_conversion). Seeds 20-119 (run once, not here: 100 programmes take ~8
    # minutes): employment 91 of 100; the course in the other outcomes 96-97 of 100
    # (education, own_housing, substance_treatment, improved_wellbeing 96, stopped_selling 97).
    # The exactly specified truth model (course, conversations, support, a 12-month
    # indicator, nothing else) covers employment's exp(0.9) in the same 36 of seeds 0-39 as
    # this function does, so employment's slight shortfall is not the adjustment's.
    assert covered >= 17, covered


# --- off the model: an unmeasured confounder --------------------------------------------------


def _confounded(rng: np.random.Generator, n: int = 1000) -> tuple[pd.DataFrame, ...]:
    """A course with NO effect; a hidden trait (half the persons, ``motivation``) makes
    taking the course 0.7 against 0.3 likely and raises the log-odds of employment by 1.2;
    half are last assessed at 12 months (+0.3), half at 6."""
    motivated = rng.random(n) < 0.5
    course = rng.random(n) < np.where(motivated, 0.7, 0.3)
    later = rng.random(n) < 0.5
    start = DAY + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    logit = -1.5 + 1.2 * motivated + 0.3 * later
    achieved = rng.random(n) < 1 / (1 + np.exp(-logit))
    ids = np.array([f"c{i:05d}" for i in range(n)])
    persons = pd.DataFrame({"person_id": ids, "included": True, "inclusion_date": start,
                            "organisation": rng.choice(["A", "B"], n),
                            "contact_channel": rng.choice(["street_outreach", "drop_in"], n),
                            "motivation": np.where(motivated, "high", "low")})
    activities = pd.DataFrame({"person_id": ids[course], "component": "group_course",
                               "date": start[course] + pd.Timedelta(days=30)})
    outcomes = pd.DataFrame({"person_id": ids, "outcome": "employment",
                             "assessed_on": start + pd.to_timedelta(np.where(later, 365, 182),
                                                                    unit="D"),
                             "achieved": achieved})
    return persons, activities, outcomes


def test_an_unmeasured_confounder_biases_the_odds_ratio_and_the_e_value_bounds_it() -> None:
    # Truth: OR 1 given the trait. The trait's strength on the risk-ratio scale (Ding &
    # VanderWeele 2016): RR_EU = P(trait | course) / P(trait | none) = 0.7 / 0.3 = 2.33;
    # RR_UD = expit(-0.3) / expit(-1.5) = 2.33 at 6 months (2.16 at 12). Since this
    # confounder explains the whole association, the E-value of each estimate (the weakest
    # confounder, equally strong both ways, that could) must not exceed 2.33.
    strength = 0.7 / 0.3
    rng = np.random.default_rng(2017)
    crude, adjusted, e_values, limits = [], [], [], []
    for _ in range(100):
        persons, activities, outcomes = _confounded(rng)
        row = component_associations(persons, activities, outcomes, "employment",
                                     components=["group_course"]).to_frame().iloc[0]
        crude.append((row["odds_ratio"], row["or_low"] <= 1 <= row["or_high"]))
        e_values.append(row["e_value"])
        limits.append(row["e_value_limit"])
        fair = component_associations(persons, activities, outcomes, "employment",
                                      components=["group_course"],
                                      adjust=("organisation", "contact_channel", "motivation"))
        row = fair.to_frame().iloc[0]
        adjusted.append(row["or_low"] <= 1 <= row["or_high"])
    odds, covered = np.array(crude).T
    # Measured (100 programmes of 1,000 persons): without the trait the median OR is 1.63
    # and the 95 % interval covers the true 1 in 8 of 100; adjusted for the trait, the median
    # OR is 1.03 and the interval covers 1 in 98 of 100. E-values: median 1.87 (largest
    # 2.34), 99 of 100 at or below the confounder's 2.33 (the one above by sampling error);
    # interval limit median 1.47 (largest 1.91). Taking the OR itself as the risk ratio of
    # this common outcome (about 30 %) would give E-values around 2.6: above the confounder
    # that explains it all, which is why a common outcome's OR is square-rooted.
    assert np.median(odds) > 1.4 and covered.sum() <= 25
    assert sum(adjusted) >= 90  # binomial(100, 0.95): P(fewer) = 0.03
    assert np.mean(np.array(e_values) <= strength) >= 0.95
    assert np.all(np.array(limits) <= strength)


# --- privacy and figures ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    from exitanalysis.data import synth

    programme = synth.generate(seed=1)
    persons, activities, outcomes = programme.persons, programme.activities, programme.outcomes
    return {"persons": persons, "activities": activities, "outcomes": outcomes,
            "funnel": outcome_funnel(persons, outcomes, by="organisation"),
            "rates": outcome_rates(persons, outcomes, by="contact_channel"),
            "associations": component_associations(persons, activities, outcomes,
                                                    "improved_wellbeing")}


def test_results_hold_no_person_ids_or_dates(results) -> None:
    persons = results["persons"]
    ids = set(persons["person_id"])
    dates = {d.strftime("%Y-%m-%d") for d in persons["first_contact"]}
    for name in ("funnel", "rates", "associations"):
        result = results[name]
        text = result.summary() + result._repr_html_()
        for field in dataclasses.fields(result):
            value = getattr(result, field.name)
            if isinstance(value, pd.DataFrame):
                assert not any(pd.api.types.is_datetime64_any_dtype(t) for t in value.dtypes)
                text += value.to_csv()
            else:
                text += str(value)
        assert not any(i in text for i in ids), name
        assert not any(d in text for d in dates), name


@pytest.mark.parametrize("language", ["en", "da"])
def test_figures_have_titles_alt_text_and_the_synthetic_mark(results, language) -> None:
    drawn = {
        "funnel": plot_funnel(results["funnel"], language=language, synthetic=True),
        "rates": plot_outcome_rates(results["rates"], language=language, synthetic=True),
        "associations": plot_associations(results["associations"], language=language,
                                          synthetic=True),
    }
    for name, ax in drawn.items():
        fig = ax.figure
        assert ax.get_title(), name
        assert is_marked_synthetic(fig), name
        assert not alt_text(fig, language).startswith("Figure:"), name  # the figure's own
        plt.close(fig)
    assert "–" in alt_text(drawn["rates"].figure) and "%" in alt_text(drawn["rates"].figure)
    assert drawn["associations"].get_xscale() == "log"
    assert {"en": "E-value", "da": "E-værdi"}[language] in alt_text(drawn["associations"].figure)


def test_plot_methods_and_the_empty_forest(results) -> None:
    for name in ("funnel", "rates", "associations"):
        ax = results[name].plot()
        assert ax.get_title()
        plt.close(ax.figure)
    none = component_associations(*_two_by_two(2, 20, 1, 30), "employment",
                                  components=["group_course"])
    ax = none.plot()
    assert "No component has enough persons" in alt_text(ax.figure)
    plt.close(ax.figure)
