"""Contact rates by channel: rate ratios from a count model of monthly contacts.

How many persons a channel reaches in a month is a count, and counts of contacts vary from
month to month more than a Poisson model allows (a good month at a venue, a worker on leave):
a Poisson regression would then give intervals that are too narrow. The rate ratios here come
from a negative binomial regression (NB2: variance μ + αμ², α estimated by maximum likelihood;
Cameron & Trivedi 2013, *Regression Analysis of Count Data*, 2nd ed., ch. 3) or from a
quasi-Poisson one (variance φμ, φ the Pearson χ² over its degrees of freedom; McCullagh &
Nelder 1989, *Generalized Linear Models*, 2nd ed., ch. 6). Both have a term per channel
against a reference channel, optional period terms shared by all channels (a lockdown) and
optional exposure (population size, outreach hours) as a log offset, so that the ratios
compare rates per unit of exposure.

Whether months are over-dispersed at all is answered by the likelihood-ratio test of α = 0
(the Poisson model) against α > 0. α = 0 lies on the boundary of the parameter space, so the
statistic's null distribution is half a point mass at 0 and half χ²(1): its p-value is half
the χ²(1) one (Self & Liang 1987; Stata's ``nbreg``, and ``odTest`` in R's pscl, do the same).
These are associations over time: a channel that grows because more workers staff it will
show a higher rate unless its outreach hours are given as exposure.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ..errors import ArgumentError
from .checks import summary_html

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: The count models on offer.
Model = Literal["negative-binomial", "quasi-poisson"]
MODELS: tuple[str, ...] = ("negative-binomial", "quasi-poisson")
#: Iterations allowed to the optimisers of the negative binomial likelihood (statsmodels'
#: default for BFGS, 35, is too few near α = 0, where the likelihood is flat in α).
MAX_ITERATIONS = 200
#: An α estimated below this, or a negative binomial log-likelihood that beats the Poisson one
#: by less than this, is α = 0 (a variance of μ + 10⁻⁴μ² is no over-dispersion to speak of,
#: and such a gain no evidence of any): the estimate is then the Poisson fit.
BOUNDARY_ALPHA = 1e-4
BOUNDARY_GAIN = 1e-4
#: A log rate ratio beyond ±this (a ratio beyond 1 : 5 × 10⁸) is a fit that ran off towards
#: infinity, not an estimate.
MAX_LOG_RATIO = 20.0
#: Largest α searched for the upper end of its interval (a variance 10⁴μ² is no count model).
MAX_ALPHA = 1e4


@dataclass(frozen=True)
class ChannelRates:
    """Rate ratios of contacts by channel, from a count model of monthly contacts.

    Attributes
    ----------
    channel
        The channel column of the input (``contact_channel``).
    model
        ``"negative-binomial"`` (NB2 with α estimated) or ``"quasi-poisson"``.
    reference
        The channel the rate ratios compare with.
    table
        One row per term: ``term`` (channel or period name), ``kind`` (``"channel"`` or
        ``"period"``), ``contacts`` (contacts in the channel, or in the period's months),
        ``rate_ratio`` (exp of the coefficient; 1 for the reference), ``low``, ``high``
        (Wald interval at ``level``), ``p_value`` (Wald test of a ratio of 1), ``note`` (why a
        term has no ratio, or ``"reference"``; empty otherwise). Channels come first, the
        reference on top, then the others by contacts; then periods in the order given.
    alpha
        The NB2 over-dispersion α (variance μ + αμ²), estimated in either model: 0 when the
        months vary no more than a Poisson model allows.
    alpha_interval
        Profile-likelihood interval of α at ``level`` (its lower end is 0 when α = 0 cannot
        be ruled out at that level).
    overdispersion_lr
        The likelihood-ratio statistic of α = 0 against α > 0.
    overdispersion_p
        Its p-value: half the χ²(1) tail probability (α = 0 is on the boundary), 1 when the
        statistic is 0.
    dispersion
        Pearson χ² of the Poisson fit over its residual degrees of freedom: the φ by which
        quasi-Poisson inflates variances (about 1 without over-dispersion).
    months
        The number of months fitted.
    rows
        The number of month × channel rows fitted.
    level
        The level of the intervals.
    exposure
        The exposure column used as log offset, or ``None``.
    note
        What the fit left out, or why it has no ratios (``None`` when there is nothing to say).
    """

    channel: str
    model: str
    reference: str
    table: pd.DataFrame
    alpha: float
    alpha_interval: tuple[float, float]
    overdispersion_lr: float
    overdispersion_p: float
    dispersion: float
    months: int
    rows: int
    level: float
    exposure: str | None = None
    note: str | None = None

    @property
    def overdispersed(self) -> bool:
        """Whether the likelihood-ratio test rejects α = 0 at 1 − ``level``."""
        return bool(self.overdispersion_p < 1 - self.level)

    def to_frame(self) -> pd.DataFrame:
        """The table: one row per channel and period (see the class attributes)."""
        return self.table.copy()

    def summary(self) -> str:
        """The rate ratios and the over-dispersion test in a few lines of plain text."""
        per = f" per unit of {self.exposure}" if self.exposure else ""
        name = ("negative binomial model (NB2, α estimated)" if self.model == MODELS[0]
                else f"quasi-Poisson model (dispersion {self.dispersion:.3g})")
        lines = [f"Contacts{per} by {self.channel} over {self.months} months, {name}; rate "
                 f"ratios against {self.reference} ({self.level:.0%} Wald intervals):"]
        for row in self.table.itertuples(index=False):
            label = row.term if row.kind == "channel" else f"Period {row.term}"
            line = f"{label}: {row.contacts:,} contact{'' if row.contacts == 1 else 's'}"
            if row.note == "reference":
                line += ", reference"
            elif row.note:
                line += f"; {row.note}"
            elif math.isfinite(row.rate_ratio):
                line += (f", rate ratio {row.rate_ratio:.2f} ({row.low:.2f} to {row.high:.2f}), "
                         f"p {_p_text(row.p_value)}")
            lines.append(line)
        if math.isfinite(self.alpha):
            low, high = self.alpha_interval
            verdict = ("months vary more than a Poisson model allows" if self.overdispersed
                       else "months vary no more than a Poisson model allows")
            lines.append(f"Over-dispersion: α {self.alpha:.3g} ({self.level:.0%} profile interval "
                         f"{low:.3g} to {high:.3g}); likelihood-ratio test of α = 0: p "
                         f"{_p_text(self.overdispersion_p)} ({verdict}).")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return summary_html(self.summary(), self.table)

    def plot(self, ax: Axes | None = None) -> Axes:
        """The rate ratios with their intervals, against the reference's 1."""
        from ..figures.rates import plot_rate_ratios

        return plot_rate_ratios(self, ax=ax)


def channel_rate_ratios(monthly: pd.DataFrame, *, channel: str = "contact_channel",
                        count: str = "contacted", month: str = "month",
                        reference: str | None = None,
                        periods: Mapping[str, tuple[Any, Any]] | None = None,
                        exposure: str | None = None, model: Model = "negative-binomial",
                        level: float = 0.95) -> ChannelRates:
    """Rate ratios of monthly contacts by channel, with over-dispersion estimated.

    Parameters
    ----------
    monthly
        One row per month × channel with the number of contacts. Months between the first
        and the last month of the frame that have no row for a channel count as 0 contacts
        there (a month with no contacts at all is often missing from a count), unless
        ``exposure`` is given: a row without exposure is then left out (a channel not at work
        that month), and the result's note says how many.
    channel, count, month
        Columns: the channel, the number of contacts (whole numbers ≥ 0), the month (whole
        numbers, ``pandas.Period``, dates or strings such as ``"2021-03"``).
    reference
        The channel to compare with (default: the one with most contacts).
    periods
        Period name → (first month, last month), both included, in the form of ``month``:
        an indicator term per period, the same for every channel (a lockdown that cut all
        channels alike). Periods may overlap.
    exposure
        A column of exposure per row (population size, outreach hours), used as a log offset:
        the ratios then compare contacts per unit of exposure. Rows with exposure 0 and no
        contacts are left out; exposure 0 with contacts is an error.
    model
        ``"negative-binomial"`` (NB2, α estimated) or ``"quasi-poisson"``.
    level
        Level of the intervals.

    Returns
    -------
    ChannelRates
        Its ``to_frame()`` has ``term``, ``kind``, ``contacts``, ``rate_ratio``, ``low``,
        ``high``, ``p_value``, ``note``.

    Notes
    -----
    log μ = β₀ + β_channel + Σ β_period + log(exposure). The negative binomial model is
    statsmodels' discrete ``NegativeBinomial`` (``loglike_method="nb2"``), fitted by Newton's
    method (BFGS on (β, log α) when Newton fails). α̂ = 0, and the fit is the Poisson one, when
    the score of α at 0, ½ Σ [(y − μ)² − y], is ≤ 0, or when α̂ < 10⁻⁴. Rate ratios are exp(β)
    with Wald intervals from the observed information (as Stata's ``nbreg``; R's ``glm.nb``
    uses the expected information at fixed α: standard errors a few per cent apart).
    Quasi-Poisson is statsmodels' GLM (Poisson, log link) with its covariance scaled by φ (as
    ``scale="X2"`` does) and t intervals on the residual degrees of freedom, as R's
    ``quasipoisson``. The α interval is where twice the profile log-likelihood (β
    re-estimated for each α) is within χ²₁(level) of its maximum; the LR statistic is
    2 (ℓ_NB − ℓ_Poisson).

    A channel with no contacts in any month has no ratio (its maximum-likelihood rate is 0
    and the interval unbounded), and its rows are left out; so are the months of a period
    with no contacts at all.

    Examples
    --------
    >>> monthly = pd.DataFrame({
    ...     "month": list(range(6)) * 2,
    ...     "contact_channel": ["street"] * 6 + ["online"] * 6,
    ...     "contacted": [10, 12, 9, 11, 10, 8, 5, 6, 4, 5, 6, 4]})
    >>> rates = channel_rate_ratios(monthly)
    >>> rates.reference, round(float(rates.to_frame().loc[1, "rate_ratio"]), 3)  # 30 / 60
    ('street', 0.5)
    >>> rates.alpha, rates.overdispersion_p  # these months vary less than Poisson
    (0.0, 1.0)
    """
    if model not in MODELS:
        raise ArgumentError("model", f"expected one of {', '.join(MODELS)}")
    if not 0 < level < 1:
        raise ArgumentError("level", "expected a number strictly between 0 and 1")
    frame, left_out = _monthly_frame(monthly, channel, count, month, exposure)
    spans = _period_spans(periods or {}, frame)
    totals = frame.groupby("channel", sort=True)["count"].sum()
    active = totals[totals > 0].sort_values(ascending=False, kind="stable")
    if len(active) < 2:
        raise ArgumentError("monthly", f"expected contacts in at least two channels of "
                                       f"{channel!r} to compare (found {len(active)})")
    reference = _reference(reference, totals, active, channel)
    compared = [c for c in active.index if c != reference]
    rows = _table_rows(frame, totals, active, reference, spans)
    # A channel without contacts would have a rate of 0: its rows go (and so would its term).
    usable, terms, period_notes = _period_terms(frame[frame["channel"].isin(active.index)],
                                                spans)
    for name, text in period_notes.items():
        rows[name]["note"] = text
    y, design, offset = _design(usable, compared,
                                {name: spans[name][usable.index] for name in terms})
    fitted = _fit(y, design, offset, model, level)
    notes = [left_out] if left_out else []
    if fitted.estimates is None:
        notes.append("the model did not converge, so there are no rate ratios: too few "
                     "months, or counts too sparse, to estimate them")
    else:
        for name, values in zip([*compared, *terms], fitted.estimates, strict=True):
            rows[name].update(values)
        if not math.isfinite(fitted.alpha):
            notes.append("the negative binomial fit did not converge: no estimate of α and no "
                         "test of over-dispersion")
    table = pd.DataFrame(list(rows.values()), columns=["term", "kind", "contacts", "rate_ratio",
                                                       "low", "high", "p_value", "note"])
    table["contacts"] = table["contacts"].astype(int)
    note = "; ".join(notes)
    return ChannelRates(channel=channel, model=model, reference=reference, table=table,
                        alpha=fitted.alpha, alpha_interval=fitted.alpha_interval,
                        overdispersion_lr=fitted.lr, overdispersion_p=fitted.p,
                        dispersion=fitted.dispersion, months=int(usable["month"].nunique()),
                        rows=len(usable), level=level, exposure=exposure,
                        note=note[:1].upper() + note[1:] + "." if note else None)


# --- the input --------------------------------------------------------------------------------


def _monthly_frame(monthly: pd.DataFrame, channel: str, count: str, month: str,
                   exposure: str | None) -> tuple[pd.DataFrame, str | None]:
    """Columns ``channel`` (text), ``month``, ``count``, ``log_exposure``: one row per month
    and channel, missing months filled with 0 contacts (or left out, with exposure); and a note
    of what was left out."""
    columns = [channel, count, month, *([exposure] if exposure else [])]
    missing = [c for c in columns if c not in monthly.columns]
    if missing:
        raise ArgumentError("monthly", f"expected the column(s) {', '.join(map(repr, missing))}")
    blank = monthly[columns].isna().any(axis=1)
    if blank.any():
        raise ArgumentError("monthly", f"{int(blank.sum())} row(s) have no value in "
                                       f"{', '.join(map(repr, columns))}")
    counts = pd.to_numeric(monthly[count], errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(counts) & (counts >= 0) & (counts == np.floor(counts))):
        raise ArgumentError(count, "expected whole numbers of contacts ≥ 0")
    frame = pd.DataFrame({"channel": monthly[channel].astype(str).to_numpy(),
                          "month": _as_months(monthly[month], month).to_numpy(),
                          "count": counts})
    repeated = int(frame.duplicated(["channel", "month"]).sum())
    if repeated:
        raise ArgumentError("monthly", f"expected one row per month and channel; {repeated} "
                                       "row(s) repeat a month and channel")
    if exposure is None:
        channels, months = sorted(frame["channel"].unique()), _month_range(frame["month"])
        if len(frame) < len(channels) * len(months):  # fill the missing months with 0
            grid = pd.MultiIndex.from_product([channels, months], names=["channel", "month"])
            frame = frame.set_index(["channel", "month"]).reindex(grid, fill_value=0.0)
            frame = frame.reset_index()
        return frame.assign(log_exposure=0.0), None
    size = pd.to_numeric(monthly[exposure], errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(size) & (size >= 0)):
        raise ArgumentError(exposure, "expected finite exposures ≥ 0")
    if np.any((size == 0) & (counts > 0)):
        raise ArgumentError(exposure, f"{int(np.sum((size == 0) & (counts > 0)))} row(s) have "
                                      "contacts but exposure 0")
    absent = len(_month_range(frame["month"])) * frame["channel"].nunique() - len(frame)
    idle = size == 0  # no exposure and no contacts: no information about any rate
    with np.errstate(divide="ignore"):
        frame = frame[~idle].assign(log_exposure=np.log(size[~idle]))
    parts = [f"{int(idle.sum())} row(s) with exposure 0"] if idle.any() else []
    if absent:
        parts.append(f"{absent} month × channel combination(s) with no row (no exposure)")
    return frame.reset_index(drop=True), (f"left out {' and '.join(parts)}" if parts else None)


def _reference(reference: str | None, totals: pd.Series, active: pd.Series,
               channel: str) -> str:
    """The reference channel: the one given, or the one with most contacts."""
    if reference is None:
        return str(active.index[0])
    if str(reference) not in totals.index:
        raise ArgumentError("reference", f"{reference!r} is not a channel of {channel!r}; "
                                         f"expected one of {', '.join(map(str, totals.index))}")
    if str(reference) not in active.index:
        raise ArgumentError("reference", f"{reference!r} has no contacts in any month: "
                                         "expected a channel with contacts")
    return str(reference)


def _as_months(values: pd.Series, name: str) -> pd.Series:
    """Months as whole numbers, or as monthly ``pandas.Period``."""
    if pd.api.types.is_integer_dtype(values):
        return values.astype("int64")
    if isinstance(values.dtype, pd.PeriodDtype):
        return values.dt.asfreq("M")
    try:
        return pd.to_datetime(values).dt.to_period("M")
    except (ValueError, TypeError):
        raise ArgumentError(name, "expected months as whole numbers, periods, dates or text "
                                  "such as '2021-03'") from None


def _as_month(value: Any, like: pd.Series, name: str) -> Any:
    """One period bound in the form of the months."""
    number = isinstance(value, int | float | np.integer | np.floating)
    try:
        if pd.api.types.is_integer_dtype(like):
            if float(value) != int(value):
                raise ValueError(value)
            return int(value)
        if number:  # pandas would read a number as months since 1970
            raise TypeError(value)
        return pd.Period(value, freq="M")
    except (ValueError, TypeError):
        raise ArgumentError("periods", f"period {name!r}: expected months in the form of the "
                                       "month column") from None


def _month_range(months: pd.Series) -> list[Any]:
    if pd.api.types.is_integer_dtype(months):
        return list(range(int(months.min()), int(months.max()) + 1))
    return list(pd.period_range(months.min(), months.max(), freq="M"))


def _period_spans(periods: Mapping[str, tuple[Any, Any]], frame: pd.DataFrame
                  ) -> dict[str, pd.Series]:
    """Period name → whether each row's month falls in it."""
    spans = {}
    channels = set(frame["channel"])
    for name, bounds in periods.items():
        if str(name) in channels:
            raise ArgumentError("periods", f"period {name!r} has the name of a channel")
        if isinstance(bounds, str) or len(bounds) != 2:
            raise ArgumentError("periods", f"period {name!r}: expected (first month, last "
                                           "month)")
        first, last = (_as_month(b, frame["month"], name) for b in bounds)
        if last < first:
            raise ArgumentError("periods", f"period {name!r} ends before it starts")
        spans[str(name)] = (frame["month"] >= first) & (frame["month"] <= last)
    return spans


def _table_rows(frame: pd.DataFrame, totals: pd.Series, active: pd.Series, reference: str,
                spans: Mapping[str, pd.Series]) -> dict[str, dict[str, Any]]:
    """The table's rows before the fit: reference, channels by contacts, idle channels,
    periods; ratios NaN until estimated."""
    def row(term: str, kind: str, contacts: float, note: str = "") -> dict[str, Any]:
        return {"term": term, "kind": kind, "contacts": contacts, "rate_ratio": math.nan,
                "low": math.nan, "high": math.nan, "p_value": math.nan, "note": note}

    rows = {reference: row(reference, "channel", active[reference], "reference")}
    rows[reference].update(rate_ratio=1.0)
    for name in active.index:
        if name != reference:
            rows[name] = row(name, "channel", active[name])
    for name in totals.index[totals == 0]:
        rows[name] = row(name, "channel", 0, "no contacts in any month: no rate ratio (its "
                                             "estimate would be 0, its interval unbounded)")
    for name, inside in spans.items():
        rows[name] = row(name, "period", frame.loc[inside, "count"].sum())
    return rows


def _period_terms(frame: pd.DataFrame, spans: Mapping[str, pd.Series]
                  ) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """The rows to fit, the periods that get a term, and why the others get none."""
    notes = {}
    for name, inside in spans.items():
        within = inside[frame.index]
        if within.any() and frame.loc[within, "count"].sum() == 0:
            # No contacts at all: the period's estimate would be 0, and its months tell
            # nothing about the channels, so they go.
            notes[name] = ("no contacts in this period: no rate ratio (its estimate would be "
                           "0); its months are left out")
            frame = frame[~within]
    terms = []
    for name, inside in spans.items():
        if name in notes:
            continue
        within = inside[frame.index]
        if not within.any():
            notes[name] = "no month of the data falls in this period: no rate ratio"
        elif within.all():
            notes[name] = ("every month falls in this period: nothing to compare it with, no "
                           "rate ratio")
        else:
            terms.append(name)
    return frame, terms, notes


def _design(frame: pd.DataFrame, compared: list[str], spans: Mapping[str, pd.Series]
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Counts, the design (intercept, channel indicators, period indicators) and the offset."""
    labels = frame["channel"].to_numpy()
    columns = [np.ones(len(frame))]
    columns += [(labels == c).astype(float) for c in compared]
    columns += [inside.to_numpy(dtype=float) for inside in spans.values()]
    design = np.column_stack(columns)
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise ArgumentError("periods", "two periods cover the same months (of the rows "
                                       "fitted): their effects cannot be told apart")
    if len(frame) <= design.shape[1] + 1:
        raise ArgumentError("monthly", f"expected more month × channel rows ({len(frame)}) "
                                       f"than terms to estimate ({design.shape[1] + 1})")
    offset = frame["log_exposure"].to_numpy(dtype=float)
    return (frame["count"].to_numpy(dtype=float), design,
            offset if np.any(offset != 0) else None)


# --- the fits ---------------------------------------------------------------------------------


Estimates = list[dict[str, float]]


@dataclass(frozen=True)
class _Fitted:
    """What the fits give: the terms' ratios (``None`` when the model's fit failed) and the
    over-dispersion (NaN when the negative binomial fit failed)."""

    estimates: Estimates | None
    alpha: float = math.nan
    alpha_interval: tuple[float, float] = (math.nan, math.nan)
    lr: float = math.nan
    p: float = math.nan
    dispersion: float = math.nan


def _fit(y: np.ndarray, design: np.ndarray, offset: np.ndarray | None, model: str,
         level: float) -> _Fitted:
    """Rate ratios of the non-intercept terms from ``model``, and the over-dispersion from
    the negative binomial fit (made for either model: whether months are over-dispersed does
    not depend on which model gives the ratios)."""
    poisson = _poisson(y, design, offset)
    if poisson is None:
        return _Fitted(None)
    dispersion = float(poisson.pearson_chi2 / poisson.df_resid)
    nb = _negative_binomial(y, design, offset, poisson)
    if model == "quasi-poisson":
        # Quasi-Poisson estimates are the Poisson ones, their covariance the Poisson one times
        # φ (what statsmodels' GLM gives with scale="X2"), with t on the residual df.
        estimates = _ratios(np.asarray(poisson.params),
                            np.asarray(poisson.cov_params()) * dispersion,
                            float(poisson.df_resid), level)
    else:
        estimates = None if nb is None else _ratios(nb[2], nb[3], math.inf, level)
    if nb is None:
        return _Fitted(estimates, dispersion=dispersion)
    alpha, llf, params, _ = nb
    lr = max(2 * (llf - float(poisson.llf)), 0.0)
    # α = 0 is on the boundary: the null distribution is ½ point mass at 0 + ½ χ²(1).
    p = 1.0 if lr == 0 else 0.5 * float(stats.chi2.sf(lr, 1))
    interval = _alpha_interval(y, design, offset, alpha, llf, float(poisson.llf), params, level)
    return _Fitted(estimates, alpha, interval, lr, p, dispersion)


def _quiet_fit(fit: Any) -> Any:
    """Run ``fit()`` with statsmodels' warnings silenced; ``None`` when it raises. Their
    warnings (iteration limit, singular Hessian) are judged from the result instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fit()
        except (ValueError, np.linalg.LinAlgError, FloatingPointError, OverflowError):
            return None


def _poisson(y: np.ndarray, design: np.ndarray, offset: np.ndarray | None) -> Any:
    import statsmodels.api as sm

    fit = _quiet_fit(lambda: sm.GLM(y, design, family=sm.families.Poisson(),
                                    offset=offset).fit())
    if fit is None or not fit.converged or not np.all(np.isfinite(fit.params)):
        return None
    return fit


def _negative_binomial(y: np.ndarray, design: np.ndarray, offset: np.ndarray | None,
                       poisson: Any) -> tuple[float, float, np.ndarray, np.ndarray] | None:
    """α, the log-likelihood, β and cov(β) of the NB2 fit; the Poisson fit's when α = 0."""
    from statsmodels.discrete.discrete_model import NegativeBinomial

    mu = np.asarray(poisson.fittedvalues)
    boundary = (0.0, float(poisson.llf), np.asarray(poisson.params),
                np.asarray(poisson.cov_params()))
    # The score of α at α = 0, β at the Poisson fit, is ½ Σ [(y − μ)² − y] (the score test of
    # Cameron & Trivedi 2013, ch. 3): when it is ≤ 0 the likelihood falls as α leaves 0, and
    # α̂ = 0.
    if np.sum((y - mu) ** 2 - y) <= 0:
        return boundary
    # Start from the Poisson fit, with α from the moments of its residuals (statsmodels' own
    # start, without fitting the Poisson model a second time).
    moment = float(np.sum(((y - mu) ** 2 / mu - 1) / mu) / poisson.df_resid)
    start = np.append(poisson.params, min(max(moment, 0.05), 10.0))
    model = NegativeBinomial(y, design, loglike_method="nb2", offset=offset)
    fit = _quiet_fit(lambda: model.fit(start_params=start, method="newton",
                                       maxiter=MAX_ITERATIONS, disp=0))
    if not _converged(fit):
        # Newton steps in α itself and may leave α > 0; BFGS works on log α.
        fit = _quiet_fit(lambda: model.fit(start_params=start, method="bfgs",
                                           maxiter=MAX_ITERATIONS, disp=0))
    if fit is None or not np.all(np.isfinite(fit.params)):
        return None
    if fit.params[-1] < BOUNDARY_ALPHA or fit.llf - poisson.llf < BOUNDARY_GAIN:
        # Near the boundary BFGS creeps towards α = 0 without arriving, often without
        # declaring convergence: the estimate there is the Poisson fit.
        return boundary
    cov = _quiet_fit(fit.cov_params)
    if not _converged(fit) or cov is None or not np.all(np.isfinite(cov)):
        return None
    return float(fit.params[-1]), float(fit.llf), np.asarray(fit.params[:-1]), np.asarray(
        cov)[:-1, :-1]


def _converged(fit: Any) -> bool:
    return bool(fit is not None and fit.mle_retvals["converged"]
                and np.all(np.isfinite(fit.params)) and fit.params[-1] > 0)


def _ratios(params: np.ndarray, cov: np.ndarray, df: float, level: float) -> Estimates | None:
    """exp(β), its Wald interval and p-value for every term but the intercept (normal, or t
    on ``df`` degrees of freedom); ``None`` when a coefficient ran off or has no variance."""
    beta = params[1:]
    se = np.sqrt(np.clip(np.diag(cov)[1:], 0.0, None))
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(se)) and np.all(se > 0)
            and np.all(np.abs(beta) < MAX_LOG_RATIO)):
        return None
    # scipy.special rather than scipy.stats: the same functions, without the cost of
    # building a distribution object at every fit.
    if math.isinf(df):
        critical = float(special.ndtri((1 + level) / 2))
        p = 2 * special.ndtr(-np.abs(beta / se))
    else:
        critical = float(special.stdtrit(df, (1 + level) / 2))
        p = 2 * special.stdtr(df, -np.abs(beta / se))
    return [{"rate_ratio": math.exp(b), "low": math.exp(b - critical * s),
             "high": math.exp(b + critical * s), "p_value": float(q)}
            for b, s, q in zip(beta, se, p, strict=True)]


def _profile_llf(alpha: float, y: np.ndarray, design: np.ndarray, offset: np.ndarray | None,
                 start: np.ndarray) -> float:
    """The NB2 log-likelihood maximised over β at fixed α > 0, by Newton's method from
    ``start`` (written out: it runs about ten times per fit, where statsmodels' GLM would
    cost more to set up than to solve; the GLM takes over if the steps fail)."""
    shift = 0.0 if offset is None else offset
    beta = start
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(50):
            mu = np.exp(design @ beta + shift)
            # Score X'(y − μ)/(1 + αμ); observed information X' diag(μ(1 + αy)/(1 + αμ)²) X,
            # positive definite, and (unlike the expected one) converging quadratically.
            weight = mu * (1 + alpha * y) / (1 + alpha * mu) ** 2
            try:
                step = np.linalg.solve(design.T @ (design * weight[:, None]),
                                       design.T @ ((y - mu) / (1 + alpha * mu)))
            except np.linalg.LinAlgError:
                break
            beta = beta + step
            if np.max(np.abs(step)) < 1e-9:
                mu = np.exp(design @ beta + shift)
                size = 1 / alpha
                llf = float(np.sum(special.gammaln(y + size) - special.gammaln(size)
                                   - special.gammaln(y + 1)
                                   + y * np.log(alpha * mu / (1 + alpha * mu))
                                   - size * np.log1p(alpha * mu)))
                if math.isfinite(llf):
                    return llf
                break
    import statsmodels.api as sm

    fit = _quiet_fit(lambda: sm.GLM(y, design, offset=offset,
                                    family=sm.families.NegativeBinomial(alpha=alpha))
                     .fit(start_params=start))
    return -math.inf if fit is None or not math.isfinite(fit.llf) else float(fit.llf)


def _alpha_interval(y: np.ndarray, design: np.ndarray, offset: np.ndarray | None,
                    alpha: float, llf: float, llf_poisson: float, params: np.ndarray,
                    level: float) -> tuple[float, float]:
    """Profile-likelihood interval of α: where 2 (ℓ(α̂) − ℓ_profile(α)) ≤ χ²₁(level).

    Its ends are where the root deviance √(2 (ℓ(α̂) − ℓ_profile(α))) reaches √χ²₁(level): a
    function close to linear in log α, so that Brent's method in brackets that grow by
    factors of e^½, e, e², … needs a few profiles only."""
    target = math.sqrt(stats.chi2.ppf(level, 1))
    known = {alpha: -target, 0.0: math.sqrt(max(2 * (llf - llf_poisson), 0.0)) - target}

    def gap(a: float) -> float:
        if a not in known:
            drop = 2 * (llf - _profile_llf(a, y, design, offset, params))
            known[a] = min(math.sqrt(max(drop, 0.0)), 1e6) - target  # finite for brentq
        return known[a]

    low = 0.0
    if alpha > 0 and gap(0.0) > 0:  # α = 0 is ruled out: the lower end is above it
        inner, outer, step = alpha, alpha * math.exp(-0.5), 0.5
        while gap(outer) < 0:
            inner, step = outer, 2 * step
            outer = alpha * math.exp(-step) if step <= 32 else 0.0
        low = float(optimize.brentq(gap, outer, inner, xtol=1e-12, rtol=1e-6))
    base, step = (alpha, 0.5) if alpha > 0 else (0.05, 0.0)  # no log scale at α = 0
    inner, outer = alpha, base * math.exp(step)
    while gap(outer) < 0:
        if outer > MAX_ALPHA:
            return low, math.nan
        inner, step = outer, max(2 * step, 1.0)
        outer = base * math.exp(step)
    return low, float(optimize.brentq(gap, inner, outer, xtol=1e-12, rtol=1e-6))


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


__all__ = ["MODELS", "ChannelRates", "Model", "channel_rate_ratios"]
