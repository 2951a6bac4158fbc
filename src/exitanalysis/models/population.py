"""How many people are there in a hidden population? Estimates from overlapping lists, from
how often people were seen, and from a benchmark count with a survey proportion.

A programme meets only part of the population it serves: partners keep lists, outreach
teams see some people once and some many times, a clinic counts its clients. Five classical
estimators turn such records into a population size, each with an interval:

* :func:`chapman`: two lists and their overlap (Chapman 1951; the bias-corrected
  Lincoln–Petersen estimator).
* :func:`chao_lower_bound`: how many people were seen once and twice (Chao 1987). Under
  heterogeneous catchability it is a lower bound, which is its point.
* :func:`zelterman`: the same two counts through a locally Poisson model (Zelterman 1988),
  more robust to a long tail of people seen many times.
* :func:`loglinear_capture_recapture`: three or more lists, allowing pairs of lists to be
  dependent (Fienberg 1972; Cormack 1989), the model chosen by AIC or BIC.
* :func:`multiplier_estimate`: a benchmark count divided by the share of a survey sample
  that is in it (UNAIDS/WHO 2010).

Every estimator assumes a closed population (nobody enters or leaves while the lists are
made) and that people are matched correctly across lists; the two-list and frequency
estimators also assume that being on one list does not change the chance of being on
another. Positive dependence between lists (a partner that refers its clients to another)
makes the overlap too large and the estimate too small. The helpers
:func:`capture_frequencies` and :func:`pairwise_overlaps` turn one table of capture
histories into the inputs of the frequency and two-list estimators.
"""

from __future__ import annotations

import html
import itertools
import math
import types
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ..errors import ArgumentError
from .checks import finite, whole

#: Overlaps smaller than this leave Chapman's estimator noticeably biased (Robson & Regier
#: 1964: with m ≥ 7 the bias is negligible).
MIN_OVERLAP = 7
#: The lists a log-linear analysis takes: with k lists there are 2^(k(k−1)/2) models with
#: subsets of the pairwise interactions, 1,024 at five lists and 32,768 at six.
MIN_LISTS, MAX_LISTS = 3, 5
#: Two ways to put an interval around a two-list estimate.
Interval = Literal["normal", "log-normal"]
INTERVALS: tuple[str, ...] = ("normal", "log-normal")
#: Model selection criteria for the log-linear models.
Criterion = Literal["aic", "bic"]
CRITERIA: tuple[str, ...] = ("aic", "bic")
#: Intervals for the multiplier method.
MultiplierInterval = Literal["log", "normal"]
MULTIPLIER_INTERVALS: tuple[str, ...] = ("log", "normal")
#: A missing cell estimated above this many times the persons seen is a fit that ran off
#: towards infinity (a pairwise term with an empty cell), not an estimate.
MAX_RATIO = 1e4


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationEstimate:
    """An estimate of the size of a hidden population.

    Attributes
    ----------
    method
        The estimator, as it is named in the literature (``Chapman``, ``Chao lower bound``,
        ``Zelterman``, ``log-linear``, ``multiplier``).
    estimate
        The estimated number of people in the population (seen and unseen).
    se
        Its standard error (NaN where there is none).
    ci_low, ci_high
        The interval at ``details["level"]``; how it is made is in ``details["interval"]``.
    observed
        The number of distinct people behind the estimate: the persons seen on any list, or,
        for the multiplier method, the benchmark count (rounded down), whose people are all
        members of the population.
    details
        The inputs and intermediate numbers (read-only): always ``level``, ``interval`` and
        ``basis`` (the data in words), plus what each estimator adds.
    """

    method: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    observed: int
    details: Mapping[str, Any]

    def to_frame(self) -> pd.DataFrame:
        """One row: ``method``, ``observed``, ``estimate``, ``se``, ``ci_low``, ``ci_high``."""
        return pd.DataFrame([{"method": self.method, "observed": self.observed,
                              "estimate": self.estimate, "se": self.se,
                              "ci_low": self.ci_low, "ci_high": self.ci_high}])

    def summary(self) -> str:
        """The estimate in one plain sentence."""
        level = self.details.get("level", 0.95)
        return (f"{self.method[:1].upper()}{self.method[1:]}: about {_people(self.estimate)} "
                f"people ({level:.0%} interval "
                f"{_people(self.ci_low)} to {_people(self.ci_high)}), "
                f"{self.details.get('basis', f'{self.observed:,} seen')}.")

    def _repr_html_(self) -> str:
        return (f"<p>{html.escape(self.summary())}</p>"
                + self.to_frame().to_html(index=False, na_rep=""))


@dataclass(frozen=True)
class LogLinearEstimate(PopulationEstimate):
    """An estimate from log-linear models of three or more lists (see
    :class:`PopulationEstimate` for the common fields).

    Attributes
    ----------
    models
        One row per model fitted: ``model`` (its pairwise interactions, ``independence``
        for none), ``interactions`` (how many), ``deviance``, ``df``, ``aic``, ``bic``,
        ``estimate``, ``se``, ``ci_low``, ``ci_high`` (profile likelihood), ``note`` (why it
        could not be chosen, or empty) and ``eligible`` (whether it could be chosen).
    chosen
        The model with the smallest criterion among the eligible ones.
    gof_p
        The chosen model's goodness of fit: the p-value of its deviance on its degrees of
        freedom (NaN with none).
    """

    models: pd.DataFrame
    chosen: str
    gof_p: float

    def summary(self) -> str:
        level = self.details.get("level", 0.95)
        fit = ("no degrees of freedom left to test its fit" if math.isnan(self.gof_p)
               else "goodness of fit p < 0.001" if self.gof_p < 0.001
               else f"goodness of fit p = {self.gof_p:.3f}")
        return (f"Log-linear model {self.chosen} (chosen by "
                f"{str(self.details['criterion']).upper()} from "
                f"{int(self.models['eligible'].sum())} models): about "
                f"{_people(self.estimate)} people ({level:.0%} profile-likelihood interval "
                f"{_people(self.ci_low)} to {_people(self.ci_high)}), "
                f"{self.details['basis']}; {fit}.")

    def _repr_html_(self) -> str:
        return super()._repr_html_() + self.models.to_html(index=False, na_rep="")


# --- two lists ---------------------------------------------------------------------------------


def chapman(n1: int, n2: int, m: int, *, interval: Interval = "normal",
            level: float = 0.95) -> PopulationEstimate:
    """Chapman's bias-corrected Lincoln–Petersen estimate from two lists and their overlap.

    Parameters
    ----------
    n1, n2
        Distinct persons on the first and on the second list.
    m
        Persons on both lists (0 ≤ m ≤ min(n1, n2)).
    interval
        ``"normal"`` (N ± z·SE, as Seber 1982 and the fisheries texts give it) or
        ``"log-normal"`` (Chao 1987's interval on the unseen, never below the persons seen).
    level
        Coverage of the interval.

    Returns
    -------
    PopulationEstimate
        ``details`` holds ``n1``, ``n2``, ``m``, ``seen`` (n1 + n2 − m) and ``small_overlap``
        (m < 7: Robson & Regier 1964 find the bias negligible only from m ≥ 7).

    Notes
    -----
    N = (n1 + 1)(n2 + 1)/(m + 1) − 1 (Chapman 1951), with the variance of Seber (1970) and
    Wittes (1972), (n1 + 1)(n2 + 1)(n1 − m)(n2 − m) / ((m + 1)²(m + 2)) (Seber 1982,
    *The Estimation of Animal Abundance*, 2nd ed., p. 60). The normal interval's lower limit
    is raised to the persons seen where it falls below them (nobody seen can be missing).
    With a small overlap the distribution of N is skewed to the right and the log-normal
    interval (Chao 1987; Chao et al. 2001, *Statistics in Medicine* 20:3123) is the better
    choice: with f0 = N − seen and C = exp(z·sqrt(log(1 + var/f0²))), it runs from
    seen + f0/C to seen + f0·C.

    Examples
    --------
    >>> est = chapman(421, 332, 88)  # Pine et al. (2013), Box 11.2: 1,578 (1,330 to 1,826)
    >>> round(est.estimate), round(est.ci_low), round(est.ci_high)
    (1578, 1330, 1826)
    """
    n1 = whole("n1", n1)
    n2 = whole("n2", n2)
    m = whole("m", m)
    if m > min(n1, n2):
        raise ArgumentError("m", f"expected at most min(n1, n2) = {min(n1, n2)} persons on both "
                                 "lists (the overlap cannot exceed either list)")
    _choice("interval", interval, INTERVALS)
    z = _z(level)
    seen = n1 + n2 - m
    estimate = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    variance = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    se = math.sqrt(variance)
    if interval == "normal":
        low, high = max(estimate - z * se, float(seen)), estimate + z * se
    else:
        low, high = _log_normal_interval(seen, estimate, variance, z)
    words = "Wald interval N ± z·SE, not below the persons seen" if interval == "normal" else \
        "log-normal interval on the unseen (Chao 1987)"
    details = {"n1": n1, "n2": n2, "m": m, "seen": seen, "small_overlap": m < MIN_OVERLAP,
               "level": level, "interval": words,
               "basis": f"from {seen:,} persons seen on two lists, {m:,} of them on both"}
    return PopulationEstimate("Chapman", estimate, se, low, high, seen, _frozen(details))


# --- frequencies of capture --------------------------------------------------------------------


def chao_lower_bound(frequencies: Sequence[int], *, lists: int | None = None,
                     level: float = 0.95) -> PopulationEstimate:
    """Chao's lower bound for the population size from how many people were seen once and
    how many twice.

    Parameters
    ----------
    frequencies
        ``frequencies[j]`` is the number of persons seen exactly j + 1 times (on j + 1 lists,
        or on j + 1 occasions).
    lists
        The number of lists or occasions, when it is fixed; gives the small-sample factor
        (k − 1)/k. ``None`` for counts without a fixed maximum (contacts over a period).
    level
        Coverage of the interval.

    Returns
    -------
    PopulationEstimate
        ``details`` holds ``f1``, ``f2``, ``unseen`` (f0), ``factor`` and ``formula``.

    Notes
    -----
    With n persons seen, f1 of them once and f2 twice, the unseen are f0 = c·f1²/(2 f2)
    (Chao 1987, *Biometrics* 43:783, eq. 3), where c = (k − 1)/k with k lists (Chao 1989,
    *Biometrics* 45:427; the incidence form of Chao 1987 used by Colwell & Coddington 1994)
    and c = 1 without. When f2 = 0 the bias-corrected c·f1(f1 − 1)/2 is used (Chao 2005,
    *Encyclopedia of Statistical Sciences*, "Species estimation and applications").
    The variance is Chao's (1987, eq. 4), with G = f1/f2:
    var = f2·(c·G²/2 + c²·G³ + c²·G⁴/4); when f2 = 0,
    var = c·f1(f1 − 1)/2 + c²·f1(2f1 − 1)²/4 − c²·f1⁴/(4N). The interval is Chao's (1987)
    log-normal one on f0, which never goes below the persons seen:
    n + f0/C to n + f0·C with C = exp(z·sqrt(log(1 + var/f0²))). Under heterogeneous
    catchability the estimate is a lower bound of the population, not an unbiased estimate.

    Examples
    --------
    >>> est = chao_lower_bound([43, 16, 8, 6, 0, 2, 1])
    >>> round(est.estimate, 1)
    133.8
    """
    f = _frequencies(frequencies, lists)
    seen = int(f.sum())
    f1 = int(f[0])
    f2 = int(f[1]) if len(f) > 1 else 0
    factor = 1.0 if lists is None else (lists - 1) / lists
    z = _z(level)
    if f1 == 0:
        unseen, variance, formula = 0.0, 0.0, "nobody seen once: no one is estimated unseen"
    elif f2 > 0:
        ratio = f1 / f2
        unseen = factor * f1**2 / (2 * f2)
        variance = f2 * (factor * ratio**2 / 2 + factor**2 * ratio**3
                         + factor**2 * ratio**4 / 4)
        formula = "c·f1²/(2 f2)"
    else:
        unseen = factor * f1 * (f1 - 1) / 2
        total = seen + unseen
        variance = (factor * f1 * (f1 - 1) / 2 + factor**2 * f1 * (2 * f1 - 1) ** 2 / 4
                    - factor**2 * f1**4 / (4 * total))
        formula = "c·f1(f1 − 1)/2 (bias-corrected, f2 = 0)"
    estimate = seen + unseen
    low, high = _log_normal_interval(seen, estimate, variance, z)
    details = {"f1": f1, "f2": f2, "unseen": unseen, "factor": factor, "lists": lists,
               "formula": formula, "level": level,
               "interval": "log-normal interval on the unseen (Chao 1987)",
               "basis": f"from {seen:,} persons seen, {f1:,} once and {f2:,} twice"}
    return PopulationEstimate("Chao lower bound", estimate, math.sqrt(max(variance, 0.0)),
                              low, high, seen, _frozen(details))


def zelterman(frequencies: Sequence[int], *, level: float = 0.95) -> PopulationEstimate:
    """Zelterman's estimate of the population size from how many people were seen once and
    how many twice.

    Parameters
    ----------
    frequencies
        ``frequencies[j]`` is the number of persons seen exactly j + 1 times.
    level
        Coverage of the interval.

    Returns
    -------
    PopulationEstimate
        ``details`` holds ``f1``, ``f2``, ``rate`` (λ) and ``unseen``.

    Notes
    -----
    Zelterman (1988, *J. Statistical Planning and Inference* 18:225) takes the counts to be
    Poisson only between 1 and 2: λ = 2 f2/f1, and the Horvitz–Thompson estimate
    N = n/(1 − exp(−λ)) with all n persons seen. Its variance is Böhning's (2010,
    *Biometrical Journal* 52:100; Böhning & van der Heijden 2009, *Annals of Applied
    Statistics* 3:595), by conditioning on n:
    var = n·e^(−λ)/(1 − e^(−λ))² + [n·e^(−λ)/(1 − e^(−λ))²]²·λ²·(1/f1 + 1/f2), the first
    term from n being binomial, the second from λ (the delta method on log λ). The interval
    is log-normal on the unseen, as Chao's (1987), so that it never goes below the persons
    seen. Persons seen three times or more count in n but not in λ: a long tail of frequent
    contacts does not move the estimate.

    Examples
    --------
    >>> est = zelterman([1645, 183, 37, 13, 1, 1])
    >>> round(est.estimate)
    9425
    """
    f = _frequencies(frequencies, None)
    seen = int(f.sum())
    f1 = int(f[0])
    f2 = int(f[1]) if len(f) > 1 else 0
    z = _z(level)
    if f1 > 0 and f2 == 0:
        raise ArgumentError("frequencies", "Zelterman's estimator needs persons seen twice "
                                           "(f2 > 0): with none, the rate λ = 2 f2/f1 is 0 and "
                                           "the estimate infinite")
    if f1 == 0:
        rate, estimate, variance = math.inf, float(seen), 0.0
    else:
        rate = 2 * f2 / f1
        seen_share = -math.expm1(-rate)  # 1 − exp(−λ), accurate for small λ
        estimate = seen / seen_share
        slope = seen * math.exp(-rate) / seen_share**2  # |dN/dλ|
        variance = seen * math.exp(-rate) / seen_share**2 + slope**2 * rate**2 * (1 / f1
                                                                                 + 1 / f2)
    low, high = _log_normal_interval(seen, estimate, variance, z)
    details = {"f1": f1, "f2": f2, "rate": rate, "unseen": estimate - seen, "level": level,
               "interval": "log-normal interval on the unseen (Chao 1987)",
               "basis": f"from {seen:,} persons seen, {f1:,} once and {f2:,} twice"}
    return PopulationEstimate("Zelterman", estimate, math.sqrt(variance), low, high, seen,
                              _frozen(details))


# --- capture histories -------------------------------------------------------------------------


def capture_frequencies(histories: pd.DataFrame | Mapping[tuple[int, ...], int]) -> list[int]:
    """How many persons are on exactly 1, 2, …, k of the k lists.

    Parameters
    ----------
    histories
        A frame with one 0/1 column per list and a ``count`` column (persons with that
        history; without ``count`` each row is one person), or a mapping from a tuple of
        0/1 to a count. The all-zero history is ignored.

    Returns
    -------
    list of int
        ``f[j]`` persons on exactly j + 1 lists, k entries: the ``frequencies`` of
        :func:`chao_lower_bound` and :func:`zelterman`.

    Examples
    --------
    >>> capture_frequencies({(1, 1, 0): 2, (1, 0, 0): 5, (0, 1, 1): 1, (1, 1, 1): 1})
    [5, 3, 1]
    """
    lists, table = _history_table(histories, min_lists=2)
    on = table[list(lists)].sum(axis=1).to_numpy()
    counts = table["count"].to_numpy()
    return [int(counts[on == j].sum()) for j in range(1, len(lists) + 1)]


def pairwise_overlaps(histories: pd.DataFrame | Mapping[tuple[int, ...], int]) -> pd.DataFrame:
    """Each pair of lists with its sizes and overlap: the inputs of :func:`chapman`.

    Parameters
    ----------
    histories
        As for :func:`capture_frequencies`.

    Returns
    -------
    DataFrame
        One row per pair, in list order: ``list_a``, ``list_b``, ``n_a``, ``n_b`` (persons
        on each list) and ``m`` (persons on both).

    Examples
    --------
    >>> pairwise_overlaps({(1, 1, 0): 2, (1, 0, 0): 5, (0, 1, 1): 1}).m.tolist()
    [2, 0, 1]
    """
    lists, table = _history_table(histories, min_lists=2)
    counts = table["count"].to_numpy()
    rows = []
    for a, b in itertools.combinations(lists, 2):
        on_a, on_b = table[a].to_numpy() == 1, table[b].to_numpy() == 1
        rows.append({"list_a": a, "list_b": b, "n_a": int(counts[on_a].sum()),
                     "n_b": int(counts[on_b].sum()), "m": int(counts[on_a & on_b].sum())})
    return pd.DataFrame(rows, columns=["list_a", "list_b", "n_a", "n_b", "m"])


# --- three or more lists: log-linear models ---------------------------------------------------


def loglinear_capture_recapture(histories: pd.DataFrame | Mapping[tuple[int, ...], int], *,
                                criterion: Criterion = "aic",
                                level: float = 0.95) -> LogLinearEstimate:
    """The population size from three to five lists by log-linear models that allow pairs
    of lists to be dependent, the model chosen by AIC or BIC.

    Parameters
    ----------
    histories
        A frame with one 0/1 column per list and a ``count`` column (without ``count`` each
        row is one person), or a mapping from a tuple of 0/1 to a count. Histories that do
        not occur count as 0; the all-zero history is ignored.
    criterion
        ``"aic"`` or ``"bic"``.
    level
        Coverage of the profile-likelihood intervals.

    Returns
    -------
    LogLinearEstimate
        The chosen model's estimate, with every model fitted in ``models``.

    Notes
    -----
    The 2^k − 1 observable cells are fitted by Poisson regression (statsmodels' GLM) with
    main effects for the lists and a subset of the pairwise interactions; the unseen are
    exp(β0), the fitted count of the all-zero history, and N = n + exp(β0) (Fienberg 1972,
    *Biometrika* 59:591; Cormack 1989, *Biometrics* 45:395). Every subset of the k(k−1)/2
    interactions is fitted. With three lists the model with all three interactions leaves no
    degrees of freedom (its estimate rests on the untestable assumption of no three-way
    interaction): it is reported but not chosen. Models whose fit runs off (an empty cell
    under an interaction: an estimate above 10⁴ times the persons seen) are not chosen
    either. AIC = −2ℓ + 2p and BIC = −2ℓ + p·log n, ℓ the Poisson log-likelihood, p the
    parameters and n the persons seen (as R's Rcapture). The standard error is Rcapture's,
    sqrt(f0 + f0²·var(β0)) with f0 = exp(β0) (Baillargeon & Rivest 2007, *Journal of
    Statistical Software* 19(5)). The interval is the multinomial profile likelihood one of
    Cormack (1992, *Biometrics* 48:567), as Rcapture's ``closedpCI.t``: the values of N whose
    profile log-likelihood is within χ²₁(level)/2 of its maximum, the table completed with
    N − n unseen and refitted for each N. The goodness of fit is the chosen model's deviance
    against χ² on its degrees of freedom.

    Examples
    --------
    >>> hav = {(1, 1, 1): 28, (1, 1, 0): 21, (1, 0, 1): 17, (1, 0, 0): 69,
    ...        (0, 1, 1): 18, (0, 1, 0): 55, (0, 0, 1): 63}
    >>> fit = loglinear_capture_recapture(hav)
    >>> fit.observed, len(fit.models)
    (271, 8)
    """
    _choice("criterion", criterion, CRITERIA)
    z = _z(level)
    lists, table = _history_table(histories, min_lists=MIN_LISTS, max_lists=MAX_LISTS)
    cells = _cells(len(lists))
    counts = _cell_counts(table, lists, cells)
    seen = int(counts.sum())
    if seen == 0:
        raise ArgumentError("histories", "expected at least one person on a list")
    pairs = list(itertools.combinations(range(len(lists)), 2))
    rows = []
    for size in range(len(pairs) + 1):
        for chosen_pairs in itertools.combinations(pairs, size):
            rows.append(_fit_model(cells, counts, lists, chosen_pairs, seen, z))
    models = pd.DataFrame(rows)
    eligible = models[models["eligible"]]
    if eligible.empty:
        raise ArgumentError("histories", "no log-linear model could be fitted: the lists "
                                         "are too sparse (empty cells under every model)")
    best = eligible.loc[eligible[criterion].idxmin()]
    gof_p = (float(stats.chi2.sf(best["deviance"], best["df"])) if best["df"] > 0
             else math.nan)
    details = {"lists": lists, "criterion": criterion, "level": level,
               "interval": "profile likelihood (Cormack 1992), as Rcapture's closedpCI.t",
               "deviance": float(best["deviance"]), "df": int(best["df"]),
               "basis": f"from {seen:,} persons seen on {len(lists)} lists"}
    return LogLinearEstimate("log-linear", float(best["estimate"]), float(best["se"]),
                             float(best["ci_low"]), float(best["ci_high"]), seen,
                             _frozen(details), models, str(best["model"]), gof_p)


def _fit_model(cells: np.ndarray, counts: np.ndarray, lists: tuple[str, ...],
               pairs: Sequence[tuple[int, int]], seen: int, z: float) -> dict[str, Any]:
    """One log-linear model: its fit, estimate, profile interval and whether it can be
    chosen."""
    import statsmodels.api as sm

    name = " + ".join(f"{lists[i]}*{lists[j]}" for i, j in pairs) or "independence"
    design = _design(cells, pairs)
    row: dict[str, Any] = {"model": name, "interactions": len(pairs)}
    df = len(counts) - design.shape[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an empty cell under a term: judged below
        try:
            fit = sm.GLM(counts, design, family=sm.families.Poisson()).fit()
        except Exception:  # statsmodels raises several kinds here; all mean "no fit"
            fit = None
    unseen = math.exp(fit.params[0]) if fit is not None and abs(fit.params[0]) < 700 else math.inf
    if fit is None or not math.isfinite(unseen) or unseen > MAX_RATIO * seen:
        return {**row, "deviance": math.nan, "df": df, "aic": math.nan, "bic": math.nan,
                "estimate": math.nan, "se": math.nan, "ci_low": math.nan, "ci_high": math.nan,
                "note": "the fit runs off: an empty cell under a term", "eligible": False}
    parameters = design.shape[1]
    # Poisson log-likelihood of the observed cells, constants included (as R's glm).
    loglik = float(np.sum(counts * np.log(np.where(fit.mu > 0, fit.mu, 1.0)) - fit.mu
                          - special.gammaln(counts + 1)))
    se = math.sqrt(unseen + unseen**2 * float(fit.cov_params()[0, 0]))
    low, high = _profile_interval(design, counts, seen + unseen, z)
    note = ("no degrees of freedom: rests on no three-way interaction, fit untestable"
            if df == 0 else "")
    return {**row, "deviance": float(fit.deviance), "df": df,
            "aic": -2 * loglik + 2 * parameters,
            "bic": -2 * loglik + parameters * math.log(seen), "estimate": seen + unseen,
            "se": se, "ci_low": low, "ci_high": high, "note": note, "eligible": df > 0}


def _cells(k: int) -> np.ndarray:
    """The 2^k − 1 observable histories, as rows of 0/1 (the all-zero history left out)."""
    return np.array(list(itertools.product((0, 1), repeat=k))[1:], dtype=float)


def _design(cells: np.ndarray, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """Intercept, one column per list, one per pairwise interaction."""
    columns = [np.ones(len(cells)), *cells.T, *(cells[:, i] * cells[:, j] for i, j in pairs)]
    return np.column_stack(columns)


def _cell_counts(table: pd.DataFrame, lists: tuple[str, ...], cells: np.ndarray) -> np.ndarray:
    """Persons with each observable history, in the order of ``cells`` (0 where none)."""
    keyed = table.groupby(list(lists))["count"].sum()
    lookup = {tuple(int(v) for v in (key if isinstance(key, tuple) else (key,))): int(c)
              for key, c in keyed.items()}
    return np.array([lookup.get(tuple(int(v) for v in cell), 0) for cell in cells],
                    dtype=float)


def _profile_interval(design: np.ndarray, counts: np.ndarray, estimate: float,
                      z: float) -> tuple[float, float]:
    """Cormack's (1992) multinomial profile-likelihood interval for N.

    For a trial N the table is completed with N − n persons in the all-zero cell and the
    model refitted; the multinomial log-likelihood is then
    log N! − log (N − n)! + Σ x·log(μ/N) over all 2^k cells (constants dropped). The refits
    use a few Newton steps from the previous fit (hundreds are needed; a GLM object each
    time would take seconds).
    """
    seen = float(counts.sum())
    full = np.vstack([np.eye(1, design.shape[1]), design])  # the all-zero cell first
    start: list[np.ndarray | None] = [None]  # each refit starts from the previous one

    def loglik(unseen: float) -> float:
        y = np.concatenate([[unseen], counts])
        mu, start[0] = _poisson_fit(full, y, start[0])
        total = seen + unseen
        positive = y > 0
        return float(special.gammaln(total + 1) - special.gammaln(unseen + 1)
                     + np.sum(y[positive] * np.log(mu[positive] / total)))

    # The multinomial maximum lies close to the Poisson estimate; search around it.
    top = max(4.0 * (estimate - seen) + 10.0, 10.0)
    peak = optimize.minimize_scalar(lambda u: -loglik(u), bounds=(0.0, top), method="bounded",
                                    options={"xatol": 1e-4})
    best_unseen, best = float(peak.x), -float(peak.fun)
    cut = best - z**2 / 2  # χ²₁ at the level is z²

    def gap(u: float) -> float:
        return loglik(u) - cut

    low = seen if gap(0.0) >= 0 else seen + optimize.brentq(gap, 0.0, best_unseen, xtol=1e-4)
    high_end = max(2.0 * best_unseen, 10.0)
    while gap(high_end) > 0:
        high_end *= 2
        if high_end > MAX_RATIO * max(seen, 1.0):
            return low, math.inf
    high = seen + optimize.brentq(gap, best_unseen, high_end, xtol=1e-4)
    return low, high


def _poisson_fit(design: np.ndarray, y: np.ndarray,
                 start: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Fitted means and coefficients of a Poisson log-linear model by Newton's method.

    Steps are least-squares solutions and are halved until the log-likelihood rises: an empty
    cell under an interaction sends its coefficient towards −∞ (the Hessian turns singular)
    while the fitted means still converge, which is all the profile needs.
    """
    def loglik(b: np.ndarray) -> float:
        eta = np.clip(design @ b, -700, 700)
        return float(y @ eta - np.exp(eta).sum())

    beta = (np.linalg.lstsq(design, np.log(y + 0.5), rcond=None)[0] if start is None
            else start.copy())
    current = loglik(beta)
    for _ in range(200):
        mu = np.exp(np.clip(design @ beta, -700, 700))
        step = np.linalg.lstsq(design.T @ (design * mu[:, None]), design.T @ (y - mu),
                               rcond=None)[0]
        for _ in range(30):
            trial = loglik(beta + step)
            if trial >= current - 1e-12 * abs(current):
                break
            step /= 2
        beta, gain, current = beta + step, trial - current, trial
        if gain <= 1e-10 * (1 + abs(current)):
            break
    return np.exp(np.clip(design @ beta, -700, 700)), beta


# --- benchmark and survey ----------------------------------------------------------------------


def multiplier_estimate(benchmark: float, proportion: float, *,
                        proportion_se: float | None = None, sample_size: int | None = None,
                        benchmark_se: float = 0.0, interval: MultiplierInterval = "log",
                        level: float = 0.95) -> PopulationEstimate:
    """The multiplier (benchmark) estimate: a count of the population's members in a
    service or list, divided by the share of a survey sample of the population that is in
    it.

    Parameters
    ----------
    benchmark
        M: persons of the population counted by the service or list in the period.
    proportion
        p: the share of the survey sample that reports being in the benchmark (0 < p ≤ 1).
    proportion_se
        The standard error of p as the survey gives it (design effect included, as an RDS
        survey reports it). Give this or ``sample_size``, not both.
    sample_size
        n: the survey's sample size, for a binomial standard error sqrt(p(1 − p)/n)
        (a simple random sample).
    benchmark_se
        The standard error of M, when the count is itself uncertain.
    interval
        ``"log"`` (on log N, never below zero and skewed as 1/p is) or ``"normal"``
        (N ± z·SE).
    level
        Coverage of the interval.

    Returns
    -------
    PopulationEstimate
        ``observed`` is the benchmark count rounded down (its people are all in the
        population); ``details`` holds ``benchmark``, ``proportion``, ``proportion_se``,
        ``benchmark_se`` and ``cv`` (SE/N).

    Notes
    -----
    N = M/p (UNAIDS/WHO Working Group on Global HIV/AIDS and STI Surveillance 2010,
    *Guidelines on Estimating the Size of Populations Most at Risk to HIV*, section on the
    multiplier method). The delta method gives SE(N) = N·sqrt((se_M/M)² + (se_p/p)²), M and
    p from independent sources. The log interval is N·exp(±z·cv) with
    cv = sqrt((se_M/M)² + (se_p/p)²); the normal interval N ± z·SE. The estimate assumes
    that the benchmark and the survey define the population and the period alike, that
    respondents report their use of the service correctly, and that the survey sample
    represents the population.

    Examples
    --------
    >>> est = multiplier_estimate(500, 0.25, sample_size=400)
    >>> round(est.estimate), round(est.se)
    (2000, 173)
    """
    m = finite("benchmark", benchmark, above=0.0)
    p = finite("proportion", proportion, above=0.0)
    if p > 1:
        raise ArgumentError("proportion", "expected a share between 0 and 1 (a percentage "
                                          "is given as e.g. 0.25, not 25)")
    se_m = finite("benchmark_se", benchmark_se, low=0.0)
    _choice("interval", interval, MULTIPLIER_INTERVALS)
    if (proportion_se is None) == (sample_size is None):
        raise ArgumentError("proportion_se", "give either the survey's standard error of the "
                                             "proportion or its sample_size, not both or "
                                             "neither")
    if proportion_se is not None:
        se_p = finite("proportion_se", proportion_se, low=0.0)
        source = "the survey's standard error"
    else:
        n = whole("sample_size", sample_size, low=1)
        se_p = math.sqrt(p * (1 - p) / n)
        source = f"binomial, n = {n:,}"
    z = _z(level)
    estimate = m / p
    cv = math.sqrt((se_m / m) ** 2 + (se_p / p) ** 2)
    se = estimate * cv
    if interval == "log":
        low, high = estimate * math.exp(-z * cv), estimate * math.exp(z * cv)
    else:
        low, high = estimate - z * se, estimate + z * se
    details = {"benchmark": m, "proportion": p, "proportion_se": se_p,
               "proportion_se_source": source, "benchmark_se": se_m, "cv": cv,
               "level": level,
               "interval": ("on log N, N·exp(±z·cv)" if interval == "log"
                            else "Wald interval N ± z·SE"),
               "basis": (f"from a benchmark of {_people(m)} and {p:.1%} of the survey "
                         "sample in it")}
    return PopulationEstimate("multiplier", estimate, se, low, high, int(math.floor(m)),
                              _frozen(details))


# --- helpers -----------------------------------------------------------------------------------


def _log_normal_interval(seen: int, estimate: float, variance: float,
                         z: float) -> tuple[float, float]:
    """Chao's (1987) interval: log-normal on the unseen f0 = N − seen, so never below the
    persons seen; (N, N) when nothing is unseen or nothing varies."""
    unseen = estimate - seen
    if unseen <= 0 or variance <= 0:
        return estimate, estimate
    spread = math.exp(z * math.sqrt(math.log1p(variance / unseen**2)))
    return seen + unseen / spread, seen + unseen * spread


def _history_table(histories: pd.DataFrame | Mapping[tuple[int, ...], int], *, min_lists: int,
                   max_lists: int | None = None) -> tuple[tuple[str, ...], pd.DataFrame]:
    """The lists' names and a frame of histories with a ``count`` column: checked, the
    all-zero history dropped."""
    if isinstance(histories, pd.DataFrame):
        frame = histories.copy()
        if "count" not in frame.columns:
            frame["count"] = 1
        lists = tuple(str(c) for c in frame.columns if c != "count")
        frame.columns = [str(c) for c in frame.columns]
    elif isinstance(histories, Mapping):
        if not histories:
            raise ArgumentError("histories", "expected at least one capture history")
        keys = list(histories)
        if not all(isinstance(key, tuple) for key in keys):
            raise ArgumentError("histories", "expected tuples of 0/1 as keys, one entry per "
                                             "list")
        width = {len(key) for key in keys}
        if len(width) != 1:
            raise ArgumentError("histories", "expected histories of one length (one 0/1 per "
                                             f"list); found lengths {sorted(width)}")
        lists = tuple(f"list{i + 1}" for i in range(width.pop()))
        frame = pd.DataFrame([list(key) for key in keys], columns=list(lists))
        frame["count"] = [histories[key] for key in keys]
    else:
        raise ArgumentError("histories", "expected a DataFrame of 0/1 columns (one per list) "
                                         "with a count column, or a mapping from tuples of "
                                         "0/1 to counts")
    if len(lists) < min_lists or (max_lists is not None and len(lists) > max_lists):
        wanted = (f"between {min_lists} and {max_lists}" if max_lists is not None
                  else f"at least {min_lists}")
        raise ArgumentError("histories", f"expected {wanted} lists; found {len(lists)}")
    values = frame[list(lists)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isin(values, (0.0, 1.0))):
        raise ArgumentError("histories", "expected only 0 and 1 in the list columns "
                                         f"{', '.join(lists)}")
    counts = pd.to_numeric(frame["count"], errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(counts)) or np.any(counts < 0) or np.any(counts != np.floor(counts)):
        raise ArgumentError("histories", "expected whole numbers ≥ 0 in the count column")
    table = pd.DataFrame(values.astype(int), columns=list(lists))
    table["count"] = counts.astype(int)
    return lists, table[table[list(lists)].sum(axis=1) > 0].reset_index(drop=True)


def _frequencies(frequencies: Sequence[int], lists: int | None) -> np.ndarray:
    """Counts of persons seen 1, 2, … times: whole numbers ≥ 0, someone seen."""
    if isinstance(frequencies, (str, bytes)) or not isinstance(frequencies, Sequence | np.ndarray):
        raise ArgumentError("frequencies", "expected a sequence of counts: persons seen once, "
                                           "twice, …")
    f = np.asarray(frequencies, dtype=float)
    if f.ndim != 1 or not len(f):
        raise ArgumentError("frequencies", "expected a sequence of counts: persons seen once, "
                                           "twice, …")
    if not np.all(np.isfinite(f)) or np.any(f < 0) or np.any(f != np.floor(f)):
        raise ArgumentError("frequencies", "expected whole numbers ≥ 0")
    if f.sum() == 0:
        raise ArgumentError("frequencies", "expected at least one person seen")
    if lists is not None:
        k = whole("lists", lists, low=2)
        if np.any(f[k:] > 0):
            raise ArgumentError("frequencies", f"has persons seen more than lists = {k} "
                                               "times")
    return f


def _z(level: float) -> float:
    level = finite("level", level)
    if not 0 < level < 1:
        raise ArgumentError("level", "expected a coverage strictly between 0 and 1 (0.95 for "
                                     "95 %)")
    return float(stats.norm.ppf(0.5 + level / 2))


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ArgumentError(name, f"expected one of {', '.join(map(repr, allowed))}; "
                                  f"got {value!r}")


def _frozen(details: dict[str, Any]) -> Mapping[str, Any]:
    """A read-only view, so that a frozen result cannot be changed through its details."""
    return types.MappingProxyType(details)


def _people(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:,.0f}"


__all__ = ["CRITERIA", "INTERVALS", "MIN_OVERLAP", "MULTIPLIER_INTERVALS", "LogLinearEstimate",
           "PopulationEstimate", "capture_frequencies", "chao_lower_bound", "chapman",
           "loglinear_capture_recapture", "multiplier_estimate", "pairwise_overlaps",
           "zelterman"]
