"""Hidden-population size estimators (models/population.py): each against published values
and against R packages' printed output, known-truth simulations on and off each model, and
the errors a user can cause.

Where every reference number was read, and which were run here in R rather than read in a
publication, is in tests/reference/population_references.md; the comment next to each
number names its source. No R or network is needed when these tests run.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from exitanalysis.errors import ArgumentError
from exitanalysis.models.population import (
    LogLinearEstimate,
    PopulationEstimate,
    capture_frequencies,
    chao_lower_bound,
    chapman,
    loglinear_capture_recapture,
    multiplier_estimate,
    pairwise_overlaps,
    zelterman,
)

# Hepatitis A, Taiwan 1995 (Chao et al. 2001, Table II; CARE1's HAV): lists P, Q, E.
HAV = {(1, 1, 1): 28, (1, 1, 0): 21, (1, 0, 1): 17, (1, 0, 0): 69,
       (0, 1, 1): 18, (0, 1, 0): 55, (0, 0, 1): 63}
# HIV in Rome, four reporting centres (Abeni et al. 1994; Rcapture's HIV).
HIV = {(1, 1, 1, 1): 0, (1, 1, 1, 0): 3, (1, 1, 0, 1): 1, (1, 1, 0, 0): 33, (1, 0, 1, 1): 0,
       (1, 0, 1, 0): 20, (1, 0, 0, 1): 6, (1, 0, 0, 0): 403, (0, 1, 1, 1): 3,
       (0, 1, 1, 0): 35, (0, 1, 0, 1): 10, (0, 1, 0, 0): 545, (0, 0, 1, 1): 11,
       (0, 0, 1, 0): 621, (0, 0, 0, 1): 205}
# Spina bifida, upstate New York 1969-74 (Hook et al. 1980; conting's spina summed over
# ethnicity): birth certificates, death certificates, medical records.
SPINA = {(1, 0, 0): 244, (0, 1, 0): 48, (1, 1, 0): 142, (0, 0, 1): 60, (1, 0, 1): 111,
         (0, 1, 1): 4, (1, 1, 1): 12}
# Illegal immigrants apprehended 1..6 times (van der Heijden et al. 2003; Rcapture's ill).
ILLEGAL = [1645, 183, 37, 13, 1, 1]
# Cottontail rabbits, 18 occasions (Edwards & Eberhardt 1967; SPECIES' cottontail).
COTTONTAIL = [43, 16, 8, 6, 0, 2, 1]
# Fisher's butterflies (SPECIES' butterfly; the last class is "25 or more").
BUTTERFLY = [118, 74, 44, 24, 29, 22, 20, 19, 20, 15, 12, 14, 6, 12, 6, 9, 9, 6, 10, 10, 11,
             5, 3, 3, 119]


def _covers(estimate: PopulationEstimate, truth: float) -> bool:
    return estimate.ci_low <= truth <= estimate.ci_high


# --- Chapman ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("n1", "n2", "m", "published"), [
    # Seber (2002), Tables 3.7 and 3.8, as FSA's testthat_mrClosed.R quotes them: N, SE, upper.
    (500, 149, 7, {"estimate": 9393, "se": 3022, "ci_high": 15316}),
    # Seber (2002), Tables 3.7 and 3.8: 11101, SE 2184, 6820 to 15382 (printed with a rounded
    # z, FSA notes; the tolerance of 2 below covers that).
    (1000, 243, 21, {"estimate": 11101, "se": 2184, "ci_low": 6820, "ci_high": 15382}),
    # Pine et al. (2013), Box 11.2, quoted by FSA: 1578 (normal interval 1330 to 1826).
    (421, 332, 88, {"estimate": 1578, "ci_low": 1330, "ci_high": 1826}),
    # Krebs (1989), Box 2.1, quoted by FSA: 2383.
    (948, 421, 167, {"estimate": 2383}),
    # Ricker (1975), quoted by FSA: 337.
    (109, 177, 57, {"estimate": 337}),
])
def test_chapman_matches_the_published_examples(n1: int, n2: int, m: int,
                                                published: dict[str, float]) -> None:
    est = chapman(n1, n2, m)
    # The sources print whole persons (±0.5); the interval ends of Seber's second example
    # were computed with a rounded z: tolerance 2 persons.
    for field, value in published.items():
        assert getattr(est, field) == pytest.approx(value, abs=2), field
    assert est.observed == n1 + n2 - m
    assert est.details["small_overlap"] is (m < 7)


def test_chapman_log_normal_interval_stays_above_the_persons_seen() -> None:
    # Seber's first example has m = 7: the normal interval is symmetric about 9,393; the
    # log-normal one (Chao 1987) is skewed to the right and starts above the 642 seen.
    normal = chapman(500, 149, 7)
    skewed = chapman(500, 149, 7, interval="log-normal")
    assert skewed.estimate == normal.estimate and skewed.se == normal.se
    assert skewed.ci_low > normal.ci_low > 642
    assert skewed.ci_high - skewed.estimate > skewed.estimate - skewed.ci_low
    # m = 7 is where Robson & Regier (1964) find the bias negligible; m = 6 is flagged.
    assert chapman(500, 149, 6).details["small_overlap"] and not normal.details["small_overlap"]


# --- Chao's lower bound ----------------------------------------------------------------------


def test_chao_matches_rcapture_and_species() -> None:
    # R, run here: Rcapture 1.4-4, closedpCI.0(ill, dtype = "nbcap", dfreq = TRUE, t = Inf,
    # m = "Mh", h = "LB") prints abundance 9273.5, stderr 662.6 (one decimal: ±0.05).
    ill = chao_lower_bound(ILLEGAL)
    assert ill.estimate == pytest.approx(9273.5, abs=0.05)
    assert ill.se == pytest.approx(662.6, abs=0.05)
    # The same call with t = 18 on the cottontail data prints 130.6, stderr 22.8: Rcapture's
    # lower bound carries the factor (t − 1)/t, as `lists` does here.
    rabbits = chao_lower_bound(COTTONTAIL, lists=18)
    assert rabbits.estimate == pytest.approx(130.6, abs=0.05)
    assert rabbits.se == pytest.approx(22.8, abs=0.05)
    # R, run here: SPECIES::chao1984 (Chao 1984's estimate, Chao 1987's variance and
    # log-normal interval) prints Nhat and the interval rounded to persons, SE to 5 decimals.
    for frequencies, nhat, se, low, high in [(COTTONTAIL, 134, 24.02129, 102, 202),
                                              (BUTTERFLY, 714, 22.66572, 679, 770)]:
        est = chao_lower_bound(frequencies)
        assert est.estimate == pytest.approx(nhat, abs=0.5)
        assert est.se == pytest.approx(se, abs=5e-6)
        assert (est.ci_low, est.ci_high) == pytest.approx((low, high), abs=0.5)


def test_chao_agrees_with_what_the_rcapture_manual_says_of_the_illegal_immigrants() -> None:
    # Published, Rcapture's ?ill: "there should be at least 8 000 illegal immigrants in the
    # Netherlands. Less than 25% have been caught." (its profile interval starts at 8088.2;
    # Chao's log-normal interval here at 8084.7).
    est = chao_lower_bound(ILLEGAL)
    assert 8000 <= est.ci_low < 8100
    assert est.observed / est.estimate < 0.25


def test_chao_without_anyone_seen_twice_uses_the_bias_corrected_form() -> None:
    # Chao (2005): f0 = f1(f1 − 1)/2 when f2 = 0, here 5·4/2 = 10, and the variance
    # f1(f1 − 1)/2 + f1(2f1 − 1)²/4 − f1⁴/(4N) = 10 + 101.25 − 625/64.
    est = chao_lower_bound([5, 0, 1])
    assert est.estimate == 16
    assert est.se == pytest.approx(math.sqrt(10 + 101.25 - 625 / 64))
    assert est.details["formula"].startswith("c·f1(f1 − 1)/2")
    # Nobody seen once: nobody is estimated unseen.
    assert chao_lower_bound([0, 4, 2]).estimate == 6


# --- Zelterman -------------------------------------------------------------------------------


def test_zelterman_matches_karsdorps_shakespeare() -> None:
    # Published, Karsdorp (2022): f1 = 14,376, f2 = 4,343, 31,534 words:
    # "λ = (2 × 4343) / 14376 = 0.6042" and "V̂ = 31534 / (1 − exp(−0.6042)) = 69536".
    est = zelterman([14376, 4343, 31534 - 14376 - 4343])
    assert est.details["rate"] == pytest.approx(0.6042, abs=5e-5)
    assert est.estimate == pytest.approx(69536, abs=0.5)


def test_zelterman_illegal_immigrants_by_hand() -> None:
    # By hand from Zelterman (1988) and Böhning (2010): λ = 2·183/1645,
    # N = 1880/(1 − e^−λ), var = n·e^−λ/(1 − e^−λ)² + (n·e^−λ/(1 − e^−λ)²)²·λ²(1/f1 + 1/f2).
    rate = 2 * 183 / 1645
    share = 1 - math.exp(-rate)
    slope = 1880 * math.exp(-rate) / share**2
    variance = slope + slope**2 * rate**2 * (1 / 1645 + 1 / 183)
    est = zelterman(ILLEGAL)
    assert est.estimate == pytest.approx(1880 / share, rel=1e-12)
    assert est.estimate == pytest.approx(9424.6, abs=0.05)
    assert est.se == pytest.approx(math.sqrt(variance), rel=1e-12)
    # Frequent contacts do not move Zelterman's estimate (only n does): moving the 37 seen
    # three times to six times leaves it unchanged.
    assert zelterman([1645, 183, 0, 13, 1, 38]).estimate == est.estimate


# --- log-linear models -----------------------------------------------------------------------

# Rcapture 1.4-4, run here: closedpCI.t(hav, dfreq = TRUE, mX = f) for each model f (c1 = P,
# c2 = Q, c3 = E): abundance, stderr, deviance, df, AIC, BIC, profile interval.
HAV_RCAPTURE = {
    "independence": (388.4835, 21.55294, 24.35684, 3, 69.7479, 84.15638, 350.3111, 435.4113),
    "list1*list2": (416.0, 30.94273, 21.14426, 2, 68.53532, 86.54592, 363.1751, 486.1964),
    "list1*list3": (393.3134, 26.79594, 24.24704, 2, 71.63811, 89.6487, 347.3784, 453.7345),
    "list2*list3": (413.1818, 29.83463, 21.33051, 2, 68.72158, 86.73218, 362.0649, 480.5931),
    "list1*list2 + list1*list3": (463.5, 59.27162, 19.42205, 1, 68.81311, 90.42583, 373.0661,
                                  618.3864),
    "list1*list2 + list2*list3": (526.7059, 78.02174, 13.20262, 1, 62.59369, 84.2064,
                                  408.8988, 734.1725),
    "list1*list3 + list2*list3": (451.7143, 52.94257, 19.90445, 1, 69.29551, 90.90823,
                                  369.4549, 586.7049),
}


def test_loglinear_hav_matches_rcapture_model_by_model() -> None:
    fit = loglinear_capture_recapture(HAV)
    models = fit.models.set_index("model")
    for name, (estimate, se, deviance, df, aic, bic, low, high) in HAV_RCAPTURE.items():
        row = models.loc[name]
        # Rcapture prints 4-7 significant digits: 1e-3 relative on the fit, and 0.05 persons
        # on the interval (Rcapture's profile search ends on a grid; here it is solved).
        for value, expected in [(row.estimate, estimate), (row.se, se), (row.aic, aic),
                                (row.bic, bic)]:
            assert value == pytest.approx(expected, rel=1e-5), name
        assert row.deviance == pytest.approx(deviance, abs=1e-4), name
        assert row.df == df
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), abs=0.05), name
    # AIC picks PQ + QE, whose deviance of 13.2 on 1 df says that no model fits: the lists
    # are heterogeneous, and the summary says so through the goodness of fit.
    assert fit.chosen == "list1*list2 + list2*list3"
    assert fit.gof_p == pytest.approx(2.8e-4, rel=0.01)
    assert "goodness of fit p < 0.001" in fit.summary()
    # By hand (Bishop, Fienberg & Holland 1975, ch. 6): with all three interactions the
    # unseen are x111·x100·x010·x001/(x110·x101·x011); Rcapture prints 1312.8 (no df).
    saturated = models.loc["list1*list2 + list1*list3 + list2*list3"]
    assert saturated.estimate == pytest.approx(271 + 28 * 69 * 55 * 63 / (21 * 17 * 18))
    assert saturated.estimate == pytest.approx(1312.8, abs=0.05)
    assert saturated.df == 0 and not saturated.eligible and "no degrees" in saturated.note


def test_loglinear_hiv_chooses_the_interaction_the_rcapture_manual_finds() -> None:
    # Published, Rcapture's ?HIV: "only the [1,2] interaction is important".
    fit = loglinear_capture_recapture(HIV)
    assert fit.chosen == "list1*list2"
    assert len(fit.models) == 2 ** 6 and fit.observed == 1896
    # R, run here: closedpCI.t(HIV, dfreq = TRUE, mX = ~ . + c1:c2) prints 12318.5, stderr
    # 1188.7, deviance 7.614 on 9 df, AIC 86.65, BIC 119.935, interval 10266 to 14992.3.
    assert fit.estimate == pytest.approx(12318.5, abs=0.05)
    assert fit.se == pytest.approx(1188.7, abs=0.05)
    assert fit.details["deviance"] == pytest.approx(7.614, abs=5e-4)
    assert fit.details["df"] == 9
    assert (fit.ci_low, fit.ci_high) == pytest.approx((10266, 14992.3), abs=0.5)
    models = fit.models.set_index("model")
    assert models.loc["list1*list2", "aic"] == pytest.approx(86.65, abs=5e-3)
    assert models.loc["list1*list2", "bic"] == pytest.approx(119.935, abs=5e-4)
    # mX = ~ (c1+c2+c3+c4)^2: 23443.5, stderr 9594.9, deviance 3.037 on 4 df, AIC 92.073,
    # BIC 153.095, interval 10027.6 to 50046.3. m = "Mt" (independence): 11124.6, stderr
    # 904.8, deviance 13.026 on 10 df, interval 9531.7 to 13114.1.
    full = models.loc[" + ".join(f"list{i}*list{j}" for i, j in
                                 [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4)])]
    independence = models.loc["independence"]
    for row, (estimate, se, deviance, df, low, high) in [
            (full, (23443.5, 9594.9, 3.037, 4, 10027.6, 50046.3)),
            (independence, (11124.6, 904.8, 13.026, 10, 9531.7, 13114.1))]:
        assert row.estimate == pytest.approx(estimate, abs=0.05)
        assert row.se == pytest.approx(se, abs=0.05)
        assert row.deviance == pytest.approx(deviance, abs=5e-4)
        assert row.df == df
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), abs=0.5)
    assert full.aic == pytest.approx(92.073, abs=5e-4)
    assert full.bic == pytest.approx(153.095, abs=5e-4)


def test_loglinear_spina_bifida_matches_rcapture() -> None:
    # R, run here: closedpCI.t on conting's spina summed over ethnicity (c1 = B, c2 = D,
    # c3 = M): mX = ~ . gives 756.7575 (stderr 20.40429, deviance 58.85781 on 3 df, interval
    # 719.3284 to 799.457); ~ . + c1:c2 + c2:c3 gives 752.8919 (AIC 51.93003), the smallest
    # AIC of the seven models with degrees of freedom left; ~ . + c2:c3 gives 724.1245.
    frame = pd.DataFrame([(*key, count) for key, count in SPINA.items()],
                         columns=["birth", "death", "medical", "count"])
    fit = loglinear_capture_recapture(frame)
    models = fit.models.set_index("model")
    independence = models.loc["independence"]
    assert independence.estimate == pytest.approx(756.7575, abs=5e-5)
    assert independence.se == pytest.approx(20.40429, abs=5e-6)
    assert independence.deviance == pytest.approx(58.85781, abs=5e-6)
    assert (independence.ci_low, independence.ci_high) == pytest.approx((719.3284, 799.457),
                                                                        abs=0.05)
    assert fit.chosen == "birth*death + death*medical"
    assert fit.estimate == pytest.approx(752.8919, abs=5e-5)
    assert models.loc[fit.chosen, "aic"] == pytest.approx(51.93003, abs=5e-6)
    assert models.loc["death*medical", "estimate"] == pytest.approx(724.1245, abs=5e-5)
    # BIC charges log(621) per parameter and prefers DM alone: Rcapture's BIC 76.41288
    # against 78.51802 for BD + DM.
    by_bic = loglinear_capture_recapture(frame, criterion="bic")
    assert by_bic.chosen == "death*medical"
    assert models.loc["death*medical", "bic"] == pytest.approx(76.41288, abs=5e-6)


# --- multiplier ------------------------------------------------------------------------------


def test_multiplier_by_hand() -> None:
    # By hand from UNAIDS/WHO (2010) and Fearon et al. (2017): N = M/P, and the delta method
    # SE = N·sqrt((se_M/M)² + (se_P/P)²). No worked numeric example was found in a stored
    # source (tests/reference/population_references.md).
    est = multiplier_estimate(500, 0.25, sample_size=400)
    se_p = math.sqrt(0.25 * 0.75 / 400)
    assert est.estimate == 2000
    assert est.se == pytest.approx(2000 * se_p / 0.25)
    assert (est.ci_low, est.ci_high) == pytest.approx(
        (2000 * math.exp(-1.959964 * se_p / 0.25), 2000 * math.exp(1.959964 * se_p / 0.25)),
        rel=1e-6)
    survey = multiplier_estimate(500, 0.25, proportion_se=0.03, benchmark_se=20,
                                 interval="normal")
    se = 2000 * math.sqrt((20 / 500) ** 2 + (0.03 / 0.25) ** 2)
    assert survey.se == pytest.approx(se)
    assert (survey.ci_low, survey.ci_high) == pytest.approx((2000 - 1.959964 * se,
                                                             2000 + 1.959964 * se), rel=1e-6)
    assert est.observed == 500 and multiplier_estimate(12.7, 0.5, sample_size=9).observed == 12


@pytest.mark.parametrize(("proportion", "sample_size"), [(0.2, 300), (0.08, 150), (0.1, 100)])
def test_multiplier_interval_covers_as_the_survey_varies(proportion: float,
                                                         sample_size: int) -> None:
    # Known truth: N = 2,500 people, M = N·p of them in the benchmark; the survey's share is
    # binomial. 4,000 seeded surveys (none with zero respondents in the benchmark at these
    # sizes). Monte Carlo SE of a 95 % coverage: sqrt(0.95·0.05/4000) = 0.0034; measured
    # coverage of the log interval 0.960, 0.953 and 0.954 at these settings (normal
    # interval 0.954, 0.944, 0.925): tolerance ±0.015.
    truth = 2500.0
    rng = np.random.default_rng(20240611)
    shares = rng.binomial(sample_size, proportion, 4000) / sample_size
    assert shares.min() > 0
    log_cover = np.mean([_covers(multiplier_estimate(truth * proportion, share,
                                                     sample_size=sample_size), truth)
                         for share in shares])
    normal_cover = np.mean([_covers(multiplier_estimate(truth * proportion, share,
                                                        sample_size=sample_size,
                                                        interval="normal"), truth)
                            for share in shares])
    assert log_cover == pytest.approx(0.95, abs=0.015)
    # The normal interval falls short in small samples (0.925 at p = 0.1, n = 100).
    assert normal_cover <= log_cover + 0.005


# --- capture histories -----------------------------------------------------------------------


def test_histories_give_frequencies_and_overlaps_in_any_layout() -> None:
    # HAV: once 69 + 55 + 63, twice 21 + 17 + 18, on all three 28.
    assert capture_frequencies(HAV) == [187, 56, 28]
    overlaps = pairwise_overlaps(HAV)
    assert overlaps.to_dict("records") == [
        {"list_a": "list1", "list_b": "list2", "n_a": 135, "n_b": 122, "m": 49},
        {"list_a": "list1", "list_b": "list3", "n_a": 135, "n_b": 126, "m": 45},
        {"list_a": "list2", "list_b": "list3", "n_a": 122, "n_b": 126, "m": 46}]
    # One row per person, in any order, with an all-zero row and named lists: the same.
    rows = [key for key, count in HAV.items() for _ in range(count)] + [(0, 0, 0)]
    persons = pd.DataFrame(rows, columns=["P", "Q", "E"]).sample(frac=1, random_state=3)
    assert capture_frequencies(persons) == [187, 56, 28]
    assert pairwise_overlaps(persons)[["n_a", "n_b", "m"]].equals(overlaps[["n_a", "n_b", "m"]])
    by_persons = loglinear_capture_recapture(persons)
    assert by_persons.estimate == pytest.approx(loglinear_capture_recapture(HAV).estimate)
    assert by_persons.chosen == "P*Q + Q*E"
    # The two-list and frequency estimators run on the partner lists' inputs.
    pq = overlaps.iloc[0]
    assert chapman(pq.n_a, pq.n_b, pq.m).estimate == pytest.approx(136 * 123 / 50 - 1)
    assert chao_lower_bound(capture_frequencies(HAV), lists=3).estimate == pytest.approx(
        271 + 2 / 3 * 187**2 / (2 * 56))


def test_results_are_frozen_and_their_views_agree() -> None:
    results = [chapman(421, 332, 88), chapman(30, 20, 2, interval="log-normal"),
               chao_lower_bound(COTTONTAIL, lists=18), zelterman(ILLEGAL),
               multiplier_estimate(500, 0.25, sample_size=400),
               loglinear_capture_recapture(HAV)]
    for est in results:
        assert est.ci_low <= est.estimate <= est.ci_high
        frame = est.to_frame()
        assert list(frame.columns) == ["method", "observed", "estimate", "se", "ci_low",
                                       "ci_high"]
        assert frame.iloc[0].estimate == est.estimate and frame.iloc[0].observed == est.observed
        assert f"{est.estimate:,.0f}" in est.summary() and est.summary().endswith(".")
        assert est.summary() in html.unescape(est._repr_html_())
        with pytest.raises(AttributeError):
            est.estimate = 0  # type: ignore[misc]
        with pytest.raises(TypeError):
            est.details["level"] = 0.5  # type: ignore[index]
    fit = results[-1]
    assert isinstance(fit, LogLinearEstimate)
    assert list(fit.models.columns) == ["model", "interactions", "deviance", "df", "aic",
                                        "bic", "estimate", "se", "ci_low", "ci_high", "note",
                                        "eligible"]
    assert chapman(421, 332, 88).summary() == (
        "Chapman: about 1,578 people (95% interval 1,330 to 1,826), from 665 persons seen on "
        "two lists, 88 of them on both.")


# --- known truth -----------------------------------------------------------------------------


def test_independent_lists_recover_the_population() -> None:
    # N = 1,000; lists catch 30 % and 20 % independently (m ≈ 60). 2,000 seeded pairs:
    # measured coverage 0.947 for the log-normal interval (Monte Carlo SE 0.005: ±0.015) and
    # 0.933 for the normal one, which falls a little short because N is skewed to the right
    # (0.946 with another seed): at least 0.92.
    rng = np.random.default_rng(7)
    truth, reps = 1000, 2000
    normal = log_normal = 0
    estimates = []
    for _ in range(reps):
        a, b = rng.random(truth) < 0.3, rng.random(truth) < 0.2
        n1, n2, m = int(a.sum()), int(b.sum()), int((a & b).sum())
        est = chapman(n1, n2, m)
        estimates.append(est.estimate)
        normal += _covers(est, truth)
        log_normal += _covers(chapman(n1, n2, m, interval="log-normal"), truth)
    assert log_normal / reps == pytest.approx(0.95, abs=0.015)
    assert 0.92 <= normal / reps <= 0.97
    # Chapman's estimator is nearly unbiased here: measured mean 996.0, within 1 % (SE of the
    # mean 0.3 %).
    assert np.mean(estimates) == pytest.approx(truth, rel=0.01)


def test_positive_dependence_biases_chapman_low() -> None:
    # Off the model: a person on list A is on list B with probability 0.4, others 0.15 (a
    # partner referring its clients to another). The overlap is too large, so the estimate is
    # too small: measured mean 565 (57 % of N) and no interval covering N in 300 seeded
    # pairs.
    rng = np.random.default_rng(11)
    truth = 1000
    estimates, covered = [], 0
    for _ in range(300):
        a = rng.random(truth) < 0.3
        b = rng.random(truth) < np.where(a, 0.4, 0.15)
        est = chapman(int(a.sum()), int(b.sum()), int((a & b).sum()))
        estimates.append(est.estimate)
        covered += _covers(est, truth)
    assert np.mean(estimates) < 0.7 * truth
    assert covered / 300 < 0.05


def test_loglinear_recovers_independent_lists_and_pays_for_choosing() -> None:
    # N = 500; three lists catch 30, 25 and 20 % independently; 80 seeded tables. The
    # independence model's profile interval covers N in 0.975 of them (measured; Monte Carlo
    # SE 0.024, tolerance ±0.06). AIC picks the independence model in 51 of the 80 and an
    # interaction model otherwise; the chosen model's interval covers N less often (measured
    # 0.9125; 0.867 with another seed) because it ignores the choice (Buckland, Burnham &
    # Augustin 1997, Biometrics 53:603). Mean of the chosen estimates: 505.6.
    rng = np.random.default_rng(20240611)
    truth, reps = 500, 80
    chosen = independence = 0
    for _ in range(reps):
        caught = rng.random((truth, 3)) < np.array([0.3, 0.25, 0.2])
        persons = pd.DataFrame(caught[caught.any(axis=1)].astype(int), columns=list("ABC"))
        fit = loglinear_capture_recapture(persons)
        chosen += _covers(fit, truth)
        row = fit.models.set_index("model").loc["independence"]
        independence += row.ci_low <= truth <= row.ci_high
    assert independence / reps == pytest.approx(0.95, abs=0.06)
    assert 0.75 <= chosen / reps <= independence / reps + 0.02


@pytest.mark.parametrize("catchability", ["homogeneous", "heterogeneous"])
def test_chao_is_a_lower_bound_under_heterogeneity(catchability: str) -> None:
    # N = 400 on 5 occasions, 1,000 seeded populations. Homogeneous (p = 0.15 each time):
    # Chao's estimate falls below N about half the time (measured 0.487, mean 405.0) and its
    # interval covers N (measured 0.946; Monte Carlo SE 0.007: ±0.025). Heterogeneous
    # (p ~ Beta(0.5, 2.5) per person, mean 1/6): it is a lower bound, below N every time
    # (measured 1.000, mean 241.1) and its interval covers N in 0.007 of the populations.
    rng = np.random.default_rng(5)
    truth, reps = 400, 1000
    below = covered = 0
    for _ in range(reps):
        p = (np.full(truth, 0.15) if catchability == "homogeneous"
             else rng.beta(0.5, 2.5, truth))
        times = rng.binomial(5, p)
        est = chao_lower_bound([int((times == j).sum()) for j in range(1, 6)], lists=5)
        below += est.estimate < truth
        covered += _covers(est, truth)
    if catchability == "homogeneous":
        assert below / reps == pytest.approx(0.5, abs=0.1)
        assert covered / reps == pytest.approx(0.95, abs=0.025)
    else:
        assert below / reps >= 0.95
        assert covered / reps <= 0.05


def test_zelterman_recovers_a_poisson_population() -> None:
    # N = 1,000 contacted Poisson(0.6) times (about 450 seen): measured coverage 0.956 in
    # 1,000 seeded samples (0.953-0.959 over three seeds; Monte Carlo SE 0.007: ±0.025). The
    # estimate is slightly biased upwards (N is convex in λ): measured mean 1014.3 here,
    # +0.4 % to +1.4 % over three seeds (SE of the mean 0.3 %): within 2 %.
    rng = np.random.default_rng(13)
    truth, reps = 1000, 1000
    covered, estimates = 0, []
    for _ in range(reps):
        times = rng.poisson(0.6, truth)
        est = zelterman([int((times == j).sum()) for j in range(1, times.max() + 1)])
        covered += _covers(est, truth)
        estimates.append(est.estimate)
    assert covered / reps == pytest.approx(0.95, abs=0.025)
    assert truth <= np.mean(estimates) <= 1.02 * truth


# --- errors a user can cause ------------------------------------------------------------------


@pytest.mark.parametrize(("call", "message"), [
    (lambda: chapman(10, 5, 6), "m: expected at most min(n1, n2) = 5 persons on both lists"),
    (lambda: chapman(-1, 5, 0), "n1: expected a whole number ≥ 0"),
    (lambda: chapman(10.5, 5, 1), "n1: expected a whole number"),
    (lambda: chapman(10, 5, 1, interval="exact"),
     "interval: expected one of 'normal', 'log-normal'; got 'exact'"),
    (lambda: chapman(10, 5, 1, level=95), "level: expected a coverage strictly between 0 and 1"),
    (lambda: chao_lower_bound([]), "frequencies: expected a sequence of counts"),
    (lambda: chao_lower_bound([0, 0]), "frequencies: expected at least one person seen"),
    (lambda: chao_lower_bound([3, 1.5]), "frequencies: expected whole numbers ≥ 0"),
    (lambda: chao_lower_bound([3, 2, 1], lists=2),
     "frequencies: has persons seen more than lists = 2 times"),
    (lambda: zelterman([5, 0, 1]), "frequencies: Zelterman's estimator needs persons seen twice"),
    (lambda: loglinear_capture_recapture({(1, 0): 3, (0, 1): 4, (1, 1): 1}),
     "histories: expected between 3 and 5 lists; found 2"),
    (lambda: loglinear_capture_recapture(HAV, criterion="cic"),
     "criterion: expected one of 'aic', 'bic'; got 'cic'"),
    (lambda: loglinear_capture_recapture({(1, 2, 0): 3, (0, 1, 1): 2, (1, 1, 1): 1}),
     "histories: expected only 0 and 1 in the list columns list1, list2, list3"),
    (lambda: loglinear_capture_recapture({(1, 0, 0): 3, (0, 1): 2}),
     "histories: expected histories of one length"),
    (lambda: capture_frequencies(pd.DataFrame({"A": [1, 0], "B": [1, 1], "count": [2, -1]})),
     "histories: expected whole numbers ≥ 0 in the count column"),
    (lambda: capture_frequencies([(1, 0)]), "histories: expected a DataFrame of 0/1 columns"),
    (lambda: multiplier_estimate(500, 25, sample_size=100),
     "proportion: expected a share between 0 and 1"),
    (lambda: multiplier_estimate(500, 0.25), "proportion_se: give either"),
    (lambda: multiplier_estimate(500, 0.25, proportion_se=0.02, sample_size=100),
     "proportion_se: give either"),
    (lambda: multiplier_estimate(0, 0.25, sample_size=100), "benchmark: expected a number > 0"),
    (lambda: multiplier_estimate(500, 0.25, sample_size=100, interval="exact"),
     "interval: expected one of 'log', 'normal'; got 'exact'"),
])
def test_bad_arguments_are_refused_with_a_message(call: Callable[[], object],
                                                  message: str) -> None:
    with pytest.raises(ArgumentError) as caught:
        call()
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)
