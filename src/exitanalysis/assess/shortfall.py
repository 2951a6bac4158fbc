"""The recruitment-shortfall report: how far off track, how sure, since when.

Assembles what the report shows from the models of :mod:`exitanalysis.models` (forecasts,
the monthly history, the early-warning replay, partners) and a programme's data and config:
the history from case data, the monthly table or a published snapshot (under a stated
assumption of steady recruitment), sensitivity to the snapshot's uncertain date, the tables
and the sentences, in the report's language.

Times are months since the start of the period (calendar months: 2020-01-01 to 2022-01-01 is
24.0).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from ..data.config import Config, Snapshot
from ..data.programme import Programme
from ..models.history import (
    Plan,
    RecruitmentHistory,
    date_at,
    months_between,
    period_frame,
    snapshot_frame,
)
from ..models.monitoring import (
    EarlyWarning,
    forecast_from_history,
    overdispersed_from_history,
    prior_sensitivity,
    replay_warnings,
    warning_rule,
)
from ..models.partners import PartnerRates, fit_partners
from ..models.priors import PriorWeight
from ..models.recruitment import (
    DispersionTest,
    InclusionForecast,
    PriorCheck,
    RecruitmentForecast,
    dispersion_test,
    forecast_inclusions,
    prior_check,
)
from ..text import (
    Language,
    label,
    month_of,
    number,
    p_value,
    percent,
    prior_label,
    probability,
    rate,
)
from ..text import date as date_text
from ..text import month as month_text
from .cases import accrual_plan, period_months, recruitment_history
from .findings import KeyFindings, SectionNote, Sentences, about
from .release import PublicRelease, public_release, require_publishable

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Where the published snapshot may lie when its date is vague ("more than halfway").
SNAPSHOT_SHARES: tuple[float, ...] = (0.50, 0.55, 0.60, 0.65, 0.70, 0.75)
_SNAPSHOT_DATES = ["share", "as_of", "elapsed", "p_reach_target", "final_q50", "final_q975",
                   "observed_rate", "required_rate"]
_SNAPSHOT_PACE = ["start", "share", "as_of", "elapsed", "pace_ratio"]


# --- the histories from published figures -----------------------------------------------


def snapshot_history(config: Config, snapshot: Snapshot,
                     as_of: dt.date | None = None, start: dt.date | None = None,
                     ) -> RecruitmentHistory:
    """The published figures up to ``snapshot``: one row each, nothing filled in between.

    Every published figure of the config that counts the same measure and is not later than
    ``snapshot`` is a row. ``as_of`` moves ``snapshot`` in time and ``start`` moves the start
    of recruitment (for the uncertainty of a vague date); the plan then runs from ``start``
    to the end of the period.
    """
    spec = config.programme
    begin = start or spec.start
    measure = "contacted" if snapshot.contacted is not None else "included"

    def count(s: Snapshot) -> int | None:
        return s.contacted if measure == "contacted" else s.included

    figures = [(s.as_of, int(c)) for s in config.observed
               if s.as_of < min(snapshot.as_of, as_of or snapshot.as_of)
               and (c := count(s)) is not None]
    latest = int(count(snapshot) or 0)
    figures.append((as_of or snapshot.as_of, latest))
    plan = (accrual_plan(config) if start is None else
            Plan.straight(months_between(begin, spec.end + dt.timedelta(days=1))))
    frame = snapshot_frame(begin, figures, config.analysis.exposure, plan)
    basis = ("basis_snapshot", {"count": latest, "measure": measure, "date": snapshot.as_of,
                                "approximate": snapshot.approximate and as_of is None,
                                "source": snapshot.source})
    return RecruitmentHistory(frame, pd.Series(dtype=int), measure, basis,
                              period_frame(begin, spec.end, config.analysis.exposure, plan),
                              snapshot=True)


# --- sentences about the models' results ---------------------------------------------------


def describe_basis(history: RecruitmentHistory, language: Language = "en") -> str:
    """Where a history's counts come from, in words."""
    key, fields = history.basis
    words = {k: label(v, language) if k in ("measure", "dated") else v
             for k, v in fields.items()}
    if "date" in fields:
        words["date"] = (month_of(fields["date"], language, approximate=True)
                         if fields.get("approximate") else date_text(fields["date"], language))
    if "count" in fields:
        words["count"] = number(fields["count"], language)
    words.pop("approximate", None)
    return label(key, language, **words)


def as_of_words(history: RecruitmentHistory, language: Language = "en") -> str:
    """Up to when a history counts, as a reader says it: ``about January 2022`` for a
    published figure whose source gives no exact date, else the last month counted."""
    fields = history.basis[1]
    if "date" in fields:
        return month_of(fields["date"], language, approximate=bool(fields.get("approximate")))
    last = str(history.monthly["month"].iloc[-1]) if len(history.monthly) else None
    return month_text(last, language) if last else "–"


def warning_sentences(warning: EarlyWarning, language: Language = "en") -> str:
    """The early-warning replay in sentences: the rule and its false-alarm rate, the first
    warning, its distance from the closure, and the pace rules."""
    rule = warning.rule
    lines = []
    if warning.history.snapshot:
        lines.append(label("replay_snapshot", language))
    lines.append(label("rule_described", language, fa=percent(rule.false_alarm, language, 1),
                       alpha=percent(rule.alpha, language)))
    row = warning.first_warning_row()
    if row is None:
        last = warning.replay["month"].iloc[-1] if len(warning.replay) else None
        lines.append(label("rule_never", language,
                           month=month_text(last, language) if last else "–"))
    else:
        lines.append(label("rule_first", language, month=month_text(str(row["month"]), language),
                           m=number(int(row["recruited"]), language),
                           measure=label(warning.history.measure, language),
                           boundary=number(int(row["boundary"]), language),
                           expected=number(float(row["expected"]), language)))
        before = warning.months_before_closure()
        if before is not None:
            low, high = (number(round(v), language) for v in before)
            lines.append(label("replay_before_closure_range", language, low=low, high=high)
                         if low != high else
                         label("replay_before_closure", language, low=low))
    detection = rule.detection
    if len(detection):
        found = [month_or_never(r.month_median, language) for r in detection.itertuples()]
        lines.append(label("rule_detection", language,
                           paces=", ".join(percent(p, language) for p in detection["pace"]),
                           months=", ".join(found)))
    fired = False
    for pace_rule in warning.pace_rules.itertuples(index=False):
        if pace_rule.fired is None:
            continue
        fired = fired or bool(pace_rule.fired)
        lines.append(label(
            "pace_rule_result", language, limit=percent(pace_rule.limit, language),
            at=number(pace_rule.at_months, language),
            verdict=label("rule_fired" if pace_rule.fired else "rule_not_fired", language),
            pace=percent(pace_rule.pace_ratio, language),
            month=month_text(pace_rule.month, language)))
    if len(warning.pace_rules):
        lines.append(label("pace_rule_analogy", language))
    return "\n".join(lines)


def month_or_never(months: float, language: Language) -> str:
    """``month 6`` for a number of months, or words for "not within the period"."""
    if pd.isna(months):
        return label("not_in_period", language)
    return label("month_number", language, k=number(months, language))


def partner_sentences(partners: PartnerRates, language: Language = "en",
                      names: Mapping[str, str] | None = None,
                      hidden: set[str] | frozenset[str] = frozenset()) -> str:
    """The partners' rates in sentences; ``hidden`` partners are named without numbers."""
    spread = partners.spread
    # The spread is a coefficient of variation: said as a share of the average pace.
    lines = [label("partners_header", language, c=percent(spread["median"], language),
                   low=percent(spread["low"], language), high=percent(spread["high"], language))]
    for row in partners.table.itertuples(index=False):
        if row.partner in hidden:
            lines.append(label("partner_line_suppressed", language,
                               name=(names or {}).get(row.partner, row.partner)))
            continue
        lines.append(label(
            "partner_line", language, name=(names or {}).get(row.partner, row.partner),
            rate=rate(row.rate, language), low=rate(row.rate_low, language),
            high=rate(row.rate_high, language), k=number(row.recruited, language),
            tau=number(row.exposure, language, 1)))
    lines.append(label("partners_equal" if partners.equal_rates_plausible
                       else "partners_differ", language))
    return "\n".join(lines)


@dataclass(frozen=True)
class ModelComparison:
    """The Poisson and the over-dispersed forecast from the same monthly counts, both from the
    data alone (P = 0, as the partners' sum is), with a test of whether the months vary more
    than a steady Poisson process allows.

    Attributes
    ----------
    poisson, overdispersed
        The two forecasts.
    test
        Pearson's test of over-dispersion of the monthly counts.
    history
        The counts all were fitted to.
    """

    poisson: RecruitmentForecast
    overdispersed: RecruitmentForecast
    test: DispersionTest
    history: RecruitmentHistory

    def to_frame(self) -> pd.DataFrame:
        """One row per model: p_reach_target, final count mean and quantiles, median time."""
        rows = []
        for forecast in (self.poisson, self.overdispersed):
            d = forecast.to_dict()
            rows.append({"model": forecast.model, "p_reach_target": d["p_reach_target"],
                         "final_mean": d["final_count"]["mean"],
                         **{f"final_{k}": v for k, v in d["final_count"].items() if k != "mean"},
                         "time_to_target_q50": d["time_to_target"]["q50"]})
        return pd.DataFrame(rows)

    def summary(self, language: Language = "en") -> str:
        p, o = (f.to_dict()["final_count"] for f in (self.poisson, self.overdispersed))
        key = "models_clustered" if self.test.detected else "models_steady"
        return label(key, language, x2=number(self.test.statistic, language, 1),
                     df=number(self.test.df, language), p=p_value(self.test.p_value, language),
                     p_low=number(p["q025"], language), p_high=number(p["q975"], language),
                     o_low=number(o["q025"], language), o_high=number(o["q975"], language))

    def plot(self, ax: Axes | None = None) -> Axes:
        from ..figures.shortfall import plot_model_comparison

        return plot_model_comparison(self, ax=ax)


# --- sensitivity ----------------------------------------------------------------------------


def snapshot_date_sensitivity(config: Config, snapshot: Snapshot, *,
                              shares: Sequence[float] = SNAPSHOT_SHARES,
                              prior_weight: PriorWeight | str | None = None) -> pd.DataFrame:
    """The forecast if the snapshot had been taken at each share of the period.

    For a published figure dated only vaguely ("more than halfway"). Columns: ``share``,
    ``as_of``, ``elapsed``, ``p_reach_target``, ``final_q50``, ``final_q975``,
    ``observed_rate``, ``required_rate``.
    """
    spec = config.programme
    duration = period_months(config)
    weight = config.analysis.prior_weight if prior_weight is None else prior_weight
    rows = []
    for share in shares:
        when = date_at(spec.start, share * duration)
        history = snapshot_history(config, snapshot, as_of=when)
        d = forecast_from_history(history, target=spec.target, duration=duration,
                                  prior_weight=weight).to_dict()
        rows.append({"share": share, "as_of": when.isoformat(), "elapsed": history.elapsed,
                     "p_reach_target": d["p_reach_target"],
                     "final_q50": d["final_count"]["q50"],
                     "final_q975": d["final_count"]["q975"],
                     "observed_rate": d["observed_rate"], "required_rate": d["required_rate"]})
    return pd.DataFrame(rows, columns=_SNAPSHOT_DATES)


def start_dates(config: Config, steps: int = 4) -> list[dt.date]:
    """Dates recruitment may really have started: ``programme.started`` from its earliest to
    its latest date in ``steps`` even steps (first of the month), else the config's start."""
    spec = config.programme
    if spec.started is None:
        return [spec.start]
    first, last = spec.started.earliest, spec.started.latest
    span = months_between(first, last)
    dates = [date_at(first, span * i / (steps - 1)) for i in range(steps)]
    return list(dict.fromkeys(d.replace(day=1) if i else d for i, d in enumerate(dates)))


def snapshot_pace(config: Config, snapshot: Snapshot, *,
                  shares: Sequence[float] = SNAPSHOT_SHARES) -> pd.DataFrame:
    """The pace at the published figure for each plausible start and date of the figure.

    When only a figure is published, its pace against the plan is what can be said, and it
    depends on when recruitment really started (a grant decided months into the period) and
    when the figure was taken. The plan runs from each start to the end of the period.
    Columns: ``start``, ``share`` (of the official period at which the figure was taken),
    ``as_of``, ``elapsed`` (months since that start), ``pace_ratio``.
    """
    spec = config.programme
    duration = period_months(config)
    rows = []
    for start in start_dates(config):
        for share in shares:
            when = date_at(spec.start, share * duration)
            if when <= start:
                continue
            history = snapshot_history(config, snapshot, as_of=when, start=start)
            span = months_between(start, spec.end + dt.timedelta(days=1))
            planned = spec.target * history.effective_elapsed / span
            rows.append({"start": start.isoformat(), "share": share, "as_of": when.isoformat(),
                         "elapsed": history.elapsed, "pace_ratio": history.recruited / planned})
    return pd.DataFrame(rows, columns=_SNAPSHOT_PACE)


# --- the assessment -------------------------------------------------------------------------


@dataclass(frozen=True)
class ShortfallAssessment:
    """Everything the recruitment-shortfall report says, from one programme.

    Attributes
    ----------
    programme
        The programme's name.
    target, duration, start, end
        The plan (duration in months).
    source
        What the headline rests on: ``published snapshot`` or ``case data``.
    history
        The monthly history behind the headline.
    forecast
        The headline forecast (Gamma–Poisson): under the config's prior weight when the data
        are consistent with the plan, else from the data alone (P = 0; hedging when there is
        no recruit yet, since the data alone then identify no rate).
    prior_check
        Whether the data reject the plan as a prior (:func:`~exitanalysis.models.recruitment
        .prior_check`), which decides the headline forecast.
    plan_forecast
        The forecast under the config's prior weight: "if the plan had been right".
    data_forecast
        The forecast from the data alone (P = 0): "at the rate seen so far"; ``None`` with no
        recruit yet.
    warning_threshold
        The status is "off track" when the headline's P(reach target) is below this.
    warning
        The early-warning replay on the same history.
    prior_sensitivity, snapshot_sensitivity
        The headline under other priors, and under other dates of the snapshot (no rows
        without a snapshot).
    snapshot_pace
        The pace at the published figure for each plausible start of recruitment and date of
        the figure (:func:`snapshot_pace`; no rows without a snapshot).
    case_history, comparison, case_warning, partners, partner_forecast
        From case data, when there are any: the monthly history, the Poisson and the
        over-dispersed forecast side by side, the replay, the partners' rates, and the total
        forecast summed over the partners.
    inclusions
        When the headline counts contacts and real case data show how many of the persons
        contacted were included: the forecast of inclusions (which the target counts), with
        the conversion's uncertainty carried into it.
    planned_partner_rates
        Each partner's planned rate a month, when the config gives their planned shares (no
        equal split is assumed).
    synthetic
        Whether any of it rests on synthetic data.
    language
        Language of sentences and labels.
    min_cell
        For a public report, the smallest count it may show (``None``: internal).
    partners_hidden
        For a public report, the partners whose counts it must not show.
    """

    programme: str
    target: int
    duration: float
    start: dt.date
    end: dt.date
    source: str
    history: RecruitmentHistory
    forecast: RecruitmentForecast
    warning: EarlyWarning
    prior_sensitivity: pd.DataFrame
    prior_check: PriorCheck
    plan_forecast: RecruitmentForecast
    data_forecast: RecruitmentForecast | None
    warning_threshold: float
    snapshot_sensitivity: pd.DataFrame
    snapshot_pace: pd.DataFrame
    case_history: RecruitmentHistory | None = None
    comparison: ModelComparison | None = None
    case_warning: EarlyWarning | None = None
    partners: PartnerRates | None = None
    partner_forecast: RecruitmentForecast | None = None
    inclusions: InclusionForecast | None = None
    partner_names: dict[str, str] = field(default_factory=dict)
    planned_partner_rates: dict[str, float] | None = None
    synthetic: bool = False
    language: Language = "en"
    min_cell: int | None = None
    partners_hidden: frozenset[str] = frozenset()
    exposure_reasons: tuple[str, ...] = ()

    def headline(self) -> dict[str, Any]:
        """``manifest.json``'s ``headline``: the forecast, first warning and threshold."""
        findings = self.key_findings()
        return {
            "forecast": self.forecast.to_dict(),
            "prior_check": self.prior_check.to_dict(),
            "inclusions": self.inclusions.to_dict() if self.inclusions is not None else None,
            "plan_forecast": self.plan_forecast.to_dict(),
            "first_warning": self.warning.first_warning,
            "warning_threshold": self.warning_threshold,
            "warning_rule": self.warning.rule.to_dict(),
            "status": self.status,
            "basis": describe_basis(self.history, "en"),
            "measure": self.history.measure,
            "elapsed_months": round(self.history.elapsed, 6),
            "synthetic": self.history.synthetic,
            # In the run's language: what the landing page shows.
            "as_of": as_of_words(self.history, self.language),
            "key_findings": {"sentences": list(findings.sentences), "basis": findings.basis,
                             "synthetic": findings.synthetic},
        }

    @property
    def case_synthetic(self) -> bool:
        """Whether the case-data parts (models, partners, case replay) are synthetic."""
        return bool(self.case_history is not None and self.case_history.synthetic)

    @property
    def status(self) -> str:
        """``on track``, ``at risk`` or ``off track``, from P(reach target).

        Off track below the warning threshold; at risk below 50 %; on track otherwise.
        """
        p = self.forecast.p_reach_target
        if p < self.warning_threshold:
            return "off track"
        return "at risk" if p < 0.5 else "on track"

    def what_it_would_take(self) -> dict[str, Any]:
        """Rates per month: planned, observed so far, and required from now on."""
        f = self.forecast
        return {"planned_rate": self.target / self.duration, "observed_rate": f.observed_rate,
                "required_rate": f.required_rate,
                "multiple": (f.required_rate / f.observed_rate
                             if f.required_rate and f.observed_rate else None)}

    def to_frame(self) -> pd.DataFrame:
        """The monthly history with the headline forecast's bands appended (tidy)."""
        history = self.history.monthly.assign(kind="observed")
        bands = self.forecast.to_frame()
        bands = bands.assign(elapsed=self.history.calendar_time(bands["time"].to_numpy()),
                             kind="forecast").drop(columns="time")
        return pd.concat([history, bands], ignore_index=True)

    def case_section_note(self) -> SectionNote:
        """What the case-records section rests on: a red banner when the records are
        synthetic, the records' description when real."""
        lang, h = self.language, self.case_history
        if h is None:
            return SectionNote(label("case_section_none", lang), synthetic=False)
        if h.synthetic:
            return SectionNote(label("case_section_synthetic", lang), synthetic=True)
        return SectionNote(label("case_section_real", lang, basis=describe_basis(h, lang)),
                           synthetic=False)

    def summary(self, language: Language | None = None) -> str:
        """The headline in sentences, computed from the results."""
        lang = language or self.language
        lines = self._headline_lines(lang)
        lines.append(warning_sentences(self.warning, lang))
        if self.synthetic:
            lines.append(label("parts_synthetic", lang))
        return "\n".join(lines)

    def _headline_lines(self, lang: Language) -> list[str]:
        """How far off, how sure and what it would take, in full sentences."""
        f = self.forecast.to_dict()
        need = self.what_it_would_take()
        measure = self.history.measure
        lines = [label(
            "headline_progress", lang, m=number(self.forecast.recruited, lang),
            measure=label(measure, lang), when=as_of_words(self.history, lang),
            T=number(self.duration, lang), share=percent(self.history.elapsed / self.duration,
                                                         lang),
            n=number(self.target, lang))]
        if measure == "contacted":
            lines.append(self._contact_sentence(lang))
        lines.extend(self._prior_sentences(lang))
        lines.append(label(
            "headline_pace", lang, pace=percent(f["pace_ratio"], lang),
            n=number(self.target, lang), end=date_text(self.end, lang),
            p=probability(f["p_reach_target"], lang),
            prior=prior_label(self.forecast.prior_weight, lang)))
        final = f["final_count"]
        lines.append(label("headline_expected", lang, median=number(final["q50"], lang),
                           low=number(final["q025"], lang), high=number(final["q975"], lang),
                           measure=label(measure, lang)))
        if self.prior_check.conflict:
            plan = self.plan_forecast.to_dict()
            lines.append(label(
                "headline_if_plan", lang, prior=prior_label(self.plan_forecast.prior_weight, lang),
                measure=label(measure, lang),
                median=number(plan["final_count"]["q50"], lang),
                low=number(plan["final_count"]["q025"], lang),
                high=number(plan["final_count"]["q975"], lang),
                p=probability(plan["p_reach_target"], lang)))
        if need["required_rate"] is not None and need["observed_rate"]:
            lines.append(label(
                "headline_required", lang, required=number(need["required_rate"], lang, 1),
                multiple=number(need["multiple"] or 0.0, lang, 1),
                observed=number(need["observed_rate"], lang, 1),
                planned=number(need["planned_rate"] or 0.0, lang, 1)))
            lines.extend(self._exposure_sentence(lang))
        reached = self.reached_at_observed_rate()
        if reached is not None:
            lines.append(label(
                "headline_reached", lang, n=number(self.target, lang),
                measure=label(measure, lang),
                observed=number(need["observed_rate"] or 0.0, lang, 1),
                when=month_text(reached["median"], lang), low=month_text(reached["low"], lang),
                high=month_text(reached["high"], lang),
                times=number(reached["median_months"] / self.duration, lang, 1)))
        return lines

    def key_findings(self) -> KeyFindings:
        """How far off, how sure, what it would take and since when, in plain words with
        numbers rounded to what they can bear (every number from this assessment)."""
        lang, f, h = self.language, self.forecast.to_dict(), self.history
        measure = label(h.measure, lang)
        planned = self.prior_check.expected if self.prior_check.p_value is not None else None
        sentences = [label(
            "kf_how_far", lang, m=number(self.forecast.recruited, lang), measure=measure,
            when=as_of_words(h, lang), share=percent(h.elapsed / self.duration, lang),
            pace=percent(f["pace_ratio"], lang),
            planned=number(about(planned), lang) if planned is not None else "–")]
        final = f["final_count"]
        sentences.append(label(
            "kf_how_sure", lang, n=number(self.target, lang), end=date_text(self.end, lang),
            p=probability(f["p_reach_target"], lang), median=number(about(final["q50"]), lang),
            low=number(final["q025"], lang), high=number(final["q975"], lang), measure=measure)
            + (" " + label("kf_contacts_bound", lang) if h.measure == "contacted" else ""))
        need = self.what_it_would_take()
        if need["required_rate"] is not None and need["multiple"]:
            sentences.append(label("kf_would_take", lang,
                                   required=rate(need["required_rate"], lang),
                                   multiple=number(need["multiple"], lang, 1)))
        rule = self.warning.rule
        row = self.warning.first_warning_row()
        if row is None:
            sentences.append(label("kf_no_warning", lang, fa=percent(rule.false_alarm, lang)))
        else:
            key = "kf_warned_first_review" if h.snapshot else "kf_warned"
            text = label(key, lang, month=month_text(str(row["month"]), lang),
                         fa=percent(rule.false_alarm, lang))
            before = self.warning.months_before_closure()
            if before is not None:
                text += " " + label("kf_before_closure", lang, low=number(round(before[0]), lang),
                                    high=number(round(before[1]), lang))
            sentences.append(text)
        if h.snapshot:
            fields = h.basis[1]
            basis = label("kf_basis_published", lang, count=number(fields["count"], lang),
                          measure=measure, when=as_of_words(h, lang), source=fields["source"])
        else:
            basis = label("kf_basis_case", lang, basis=describe_basis(h, lang))
        if h.synthetic:
            basis = label("synthetic_prefix", lang) + basis
        return KeyFindings(tuple(sentences), basis, h.synthetic, lang)

    def _exposure_sentence(self, lang: Language) -> list[str]:
        """Why the rate so far is not the count over the months elapsed, when it is not."""
        h = self.history
        if abs(h.effective_elapsed - h.elapsed) < 0.05 or not self.exposure_reasons:
            return []
        return [label("rate_exposure", lang, m=number(self.forecast.recruited, lang),
                      t=number(h.effective_elapsed, lang, 1),
                      reasons="; ".join(self.exposure_reasons))]

    def _contact_sentence(self, lang: Language) -> str:
        """What the contacts say about inclusions, which the target counts."""
        if self.inclusions is None:
            synthetic_cases = self.case_history is not None and self.case_history.synthetic
            return label("contacts_no_conversion" if synthetic_cases else
                         "contacts_upper_bound", lang)
        c, f = self.inclusions.conversion, self.inclusions.final
        return label("contacts_converted", lang, share=percent(c["estimate"], lang),
                     low=percent(c["low"], lang), high=percent(c["high"], lang),
                     median=number(f["q50"], lang), q_low=number(f["q025"], lang),
                     q_high=number(f["q975"], lang), n=number(self.target, lang),
                     p=probability(self.inclusions.p_reach_target, lang))

    def _prior_sentences(self, lang: Language) -> list[str]:
        check = self.prior_check
        if check.p_value is None:
            return []
        words = {"prior": prior_label(check.prior_weight, lang),
                 "expected": number(check.expected, lang), "m": number(check.observed, lang),
                 "p": p_value(check.p_value, lang)}
        if not check.conflict:
            return [label("prior_fits", lang, **words)]
        key = "prior_conflict" if self.forecast.prior_weight == 0 else "prior_conflict_hedging"
        return [label(key, lang, **words)]

    def reached_at_observed_rate(self) -> dict[str, Any] | None:
        """When the target would be reached at the rate seen so far: the median and 95 %
        interval of the time to target from the data alone (P = 0), as months (``YYYY-MM``)
        and, for the median, calendar months since the start."""
        if self.data_forecast is None:
            return None
        times = self.data_forecast.time_quantiles([0.5, 0.025, 0.975])
        if not np.all(np.isfinite(times)):
            return None
        months = self.history.calendar_time(times)
        dates = [f"{date_at(self.start, float(m)):%Y-%m}" for m in months]
        return {"median": dates[0], "low": dates[1], "high": dates[2],
                "median_months": float(months[0])}

    def _repr_html_(self) -> str:
        return "".join(f"<p>{html.escape(s)}</p>" for s in self.summary().splitlines())

    def hidden_partners(self) -> set[str]:
        """Partners whose numbers a public report must not show: small counts, one more when
        a single hidden count could be recovered from the published total, and any the
        report-wide audit withholds (:mod:`exitanalysis.assess.release`)."""
        return set(self.partners_hidden) if self.min_cell is not None else set()

    def partners_frame(self) -> pd.DataFrame:
        """Partner rates with display names (empty without case data by organisation).

        A public report shows hidden partners (:meth:`hidden_partners`) without numbers.
        """
        if self.partners is None:
            return pd.DataFrame(columns=["partner", "recruited", "exposure", "observed_rate",
                                         "rate", "rate_low", "rate_high"])
        table = self.partners.to_frame()
        hidden = table["partner"].isin(self.hidden_partners())
        numbers = ["recruited", "observed_rate", "rate", "rate_low", "rate_high"]
        for column in numbers:
            table[column] = table[column].astype(float).where(~hidden)
        table["partner"] = table["partner"].map(lambda p: self.partner_names.get(p, p))
        return table

    def snapshot_pace_table(self) -> pd.DataFrame:
        """The pace at the published figure: one row per start of recruitment, one column
        per date of the figure (empty without a snapshot)."""
        if not len(self.snapshot_pace):
            return pd.DataFrame()
        wide = self.snapshot_pace.pivot(index="start", columns="as_of", values="pace_ratio")
        wide.columns = [str(c) for c in wide.columns]
        return wide.reset_index()

    def target_months(self, times: pd.Series,
                      history: RecruitmentHistory | None = None) -> pd.Series:
        """Times to target (forecast time, months since the start) as calendar months
        ``YYYY-MM``: a reader asks "when", not "after how many exposure-weighted months".
        ``None`` where the target is never reached."""
        h = history or self.history
        values = times.to_numpy(dtype=float)
        finite = np.isfinite(values)
        months = h.calendar_time(np.where(finite, values, 0.0))
        return pd.Series([f"{date_at(self.start, float(m)):%Y-%m}" if ok else None
                          for m, ok in zip(months, finite, strict=True)], index=times.index)

    def prior_sensitivity_frame(self) -> pd.DataFrame:
        """The headline under other plan weights, as a report shows it: when the target is
        reached as a calendar month (``target_month``)."""
        frame = self.prior_sensitivity.copy()
        frame["prior"] = frame["prior"].map(lambda p: prior_label(p, self.language))
        if "time_to_target_q50" in frame:
            frame["target_month"] = self.target_months(frame.pop("time_to_target_q50"))
        return frame

    def snapshot_sensitivity_frame(self) -> pd.DataFrame:
        """The forecast under other dates of the published figure, as a report shows it:
        the date says when, so the fractional months elapsed are left out."""
        return self.snapshot_sensitivity.drop(columns="elapsed", errors="ignore")

    def models_frame(self) -> pd.DataFrame:
        """The Poisson and the over-dispersed forecast side by side, plus the partners' sum:
        medians and intervals (one "expected" figure, the median, as everywhere), and the
        month the target would be reached."""
        if self.comparison is None:
            return pd.DataFrame()
        frame = self.comparison.to_frame()
        partner = self.partner_forecast
        if partner is not None:
            d = partner.to_dict()
            frame.loc[len(frame)] = {
                "model": "partners", "p_reach_target": d["p_reach_target"],
                "final_mean": d["final_count"]["mean"],
                **{f"final_{k}": v for k, v in d["final_count"].items() if k != "mean"},
                "time_to_target_q50": d["time_to_target"]["q50"],
            }
        frame["target_month"] = self.target_months(frame.pop("time_to_target_q50"),
                                                   self.comparison.history)
        return frame.drop(columns="final_mean")

    def explain(self, topic: str) -> Sentences:
        """Sentences for one part of the report, computed from the results, in the
        assessment's language.

        ``topic``: ``headline``, ``replay``, ``case_replay``, ``sensitivity``, ``models``,
        ``partners``.
        """
        lang = self.language
        if topic == "headline":
            return Sentences("\n".join(self._headline_lines(lang)))
        if topic == "replay":
            return Sentences(warning_sentences(self.warning, lang))
        if topic == "case_replay":
            if self.case_warning is None:
                return Sentences(label("case_replay_same", lang))
            history = self.case_warning.history
            prefix = label("synthetic_prefix", lang) if history.synthetic else ""
            return Sentences(prefix + label("case_replay_intro", lang,
                                            basis=describe_basis(history, lang))
                             + "\n" + warning_sentences(self.case_warning, lang))
        if topic == "sensitivity":
            medians = self.prior_sensitivity["final_q50"]
            text = label("sens_prior", lang,
                         range=_range(self.prior_sensitivity["p_reach_target"], lang),
                         low=number(medians.min(), lang), high=number(medians.max(), lang))
            if len(self.snapshot_sensitivity):
                snap = self.snapshot_sensitivity
                same = _verdict(snap["p_reach_target"], self.warning_threshold)
                text += " " + label(
                    "sens_snapshot", lang, low=percent(snap["share"].min(), lang),
                    high=percent(snap["share"].max(), lang),
                    range=_range(snap["p_reach_target"], lang),
                    conclusion=label("conclusion_same" if same else "conclusion_differs", lang))
            if len(self.snapshot_pace):
                pace, starts = self.snapshot_pace, self.snapshot_pace["start"]
                text += " " + label(
                    "sens_start", lang, low=percent(pace["pace_ratio"].min(), lang),
                    high=percent(pace["pace_ratio"].max(), lang),
                    first=date_text(dt.date.fromisoformat(starts.min()), lang),
                    last=date_text(dt.date.fromisoformat(starts.max()), lang),
                    share_low=percent(pace["share"].min(), lang),
                    share_high=percent(pace["share"].max(), lang))
            return Sentences(text)
        if topic == "models":
            if self.comparison is None:
                return Sentences(label("models_none", lang))
            prefix = label("synthetic_prefix", lang) if self.comparison.history.synthetic else ""
            return Sentences(prefix + self.comparison.summary(lang) + " "
                             + label("models_explained", lang))
        if topic == "partners":
            if self.partners is None:
                return Sentences(label("partners_none", lang))
            prefix = label("synthetic_prefix", lang) if self.case_synthetic else ""
            text = prefix + partner_sentences(self.partners, lang, names=self.partner_names,
                                              hidden=self.hidden_partners())
            total = self.partner_forecast
            if total is not None:
                final = total.to_dict()["final_count"]
                text += "\n" + label("partners_sum", lang, median=number(final["q50"], lang),
                                     low=number(final["q025"], lang),
                                     high=number(final["q975"], lang))
            return Sentences(text)
        raise ValueError(f"unknown topic {topic!r}; expected one of headline, replay, "
                         "case_replay, sensitivity, models, partners")

    def figure_text(self, name: str) -> tuple[str, str]:
        """The title that states a figure's finding, and the caption that says what it rests
        on, what its bands mean and what is assumed (``name``: ``fan``, ``required``,
        ``replay``, ``case_replay``, ``models``, ``partners``)."""
        lang, f = self.language, self.forecast.to_dict()
        h = self.history
        basis = describe_basis(h, lang)
        if name == "fan":
            final = f["final_count"]
            return (label("fig_fan", lang, median=number(about(final["q50"]), lang),
                          measure=label(h.measure, lang), n=number(self.target, lang)),
                    label("cap_fan", lang, basis=basis))
        if name == "required":
            need = self.what_it_would_take()
            multiple = need["multiple"]
            title = (label("fig_required", lang, multiple=number(multiple, lang, 1))
                     if multiple is not None and multiple > 1 else
                     label("fig_required_met", lang) if multiple is not None else
                     label("title_required", lang))
            return title, label("cap_required", lang, basis=basis)
        if name in ("replay", "case_replay"):
            warning = self.case_warning if name == "case_replay" and self.case_warning else \
                self.warning
            row = warning.first_warning_row()
            if row is not None:
                title = label("fig_replay", lang, month=month_text(str(row["month"]), lang))
            else:
                last = str(warning.replay["month"].iloc[-1]) if len(warning.replay) else None
                title = label("fig_replay_none", lang,
                              month=month_text(last, lang) if last else "–")
            return title, label("cap_replay", lang, basis=describe_basis(warning.history, lang),
                                fa=percent(warning.rule.false_alarm, lang, 1))
        if name == "models" and self.comparison is not None:
            c = self.comparison
            p, o = (x.to_dict()["final_count"] for x in (c.poisson, c.overdispersed))
            title = (label("fig_models_uneven", lang, low=number(o["q025"], lang),
                           high=number(o["q975"], lang)) if c.test.detected else
                     label("fig_models_steady", lang, low=number(p["q025"], lang),
                           high=number(p["q975"], lang)))
            return title, label("cap_models", lang, basis=describe_basis(c.history, lang))
        if name == "partners" and self.partners is not None and self.case_history is not None:
            title = label("fig_partners_equal" if self.partners.equal_rates_plausible
                          else "fig_partners_differ", lang)
            return title, label("cap_partners", lang,
                                basis=describe_basis(self.case_history, lang))
        return label("not_available", lang, reason=label("no_case_data", lang)), ""

    def plot_titled(self, ax: Axes, name: str) -> Axes:
        """``ax`` with the title that states its finding (:meth:`figure_text`), and the
        caption a report shows under it."""
        from ..figures.style import set_caption

        title, text = self.figure_text(name)
        ax.set_title(title)
        set_caption(ax.figure, text)
        return ax

    def plot(self, ax: Axes | None = None) -> Axes:
        """The fan chart of the headline forecast."""
        from ..figures.shortfall import plot_shortfall_fan

        return self.plot_titled(plot_shortfall_fan(self, ax=ax, language=self.language), "fan")

    def plot_replay(self, ax: Axes | None = None) -> Axes:
        from ..figures.shortfall import plot_replay

        return self.plot_titled(plot_replay(self.warning, ax=ax, language=self.language), "replay")

    def plot_case_replay(self, ax: Axes | None = None) -> Axes:
        """The replay on the monthly case data (when the headline rests on a snapshot)."""
        from ..figures.shortfall import plot_replay

        return self.plot_titled(plot_replay(self.case_warning or self.warning, ax=ax,
                                        language=self.language), "case_replay")

    def plot_requirement(self, ax: Axes | None = None) -> Axes:
        from ..figures.shortfall import plot_required_rate

        return self.plot_titled(plot_required_rate(self, ax=ax, language=self.language),
                            "required")

    def plot_models(self, ax: Axes | None = None) -> Axes:
        from ..figures.shortfall import plot_model_comparison
        from ..figures.style import plot_unavailable

        if self.comparison is None:
            return plot_unavailable("no_monthly_case_data", ax=ax, language=self.language)
        return self.plot_titled(plot_model_comparison(self.comparison, ax=ax,
                                                  language=self.language), "models")

    def plot_partners(self, ax: Axes | None = None) -> Axes:
        from ..figures.shortfall import plot_partner_rates
        from ..figures.style import plot_unavailable

        if self.partners is None:
            return plot_unavailable("no_case_data_by_organisation", ax=ax,
                                    language=self.language)
        return self.plot_titled(plot_partner_rates(
            self.partners, ax=ax, names=self.partner_names, hidden=self.hidden_partners(),
            planned=self.planned_partner_rates,
            language=self.language,
            synthetic=bool(self.case_history is not None and self.case_history.synthetic),
        ), "partners")


def headline_frame(assessment: ShortfallAssessment) -> pd.DataFrame:
    """The headline forecast as a one-row table (for ``tables/recruitment_headline.csv``)."""
    d = assessment.headline()
    f = d["forecast"]
    return pd.DataFrame([{
        "basis": d["basis"], "measure": d["measure"], "target": f["target"],
        "recruited": f["recruited"], "elapsed_months": round(assessment.history.elapsed, 3),
        "duration_months": f["duration"], "prior_weight": f["prior_weight"],
        "p_reach_target": f["p_reach_target"], "final_mean": f["final_count"]["mean"],
        **{f"final_{k}": v for k, v in f["final_count"].items() if k != "mean"},
        **{f"time_to_target_{k}": v for k, v in f["time_to_target"].items()},
        "observed_rate": f["observed_rate"], "required_rate": f["required_rate"],
        "pace_ratio": f["pace_ratio"], "prior_check_p": d["prior_check"]["p_value"],
        "prior_conflict": d["prior_check"]["conflict"],
        "plan_final_q50": d["plan_forecast"]["final_count"]["q50"],
        "first_warning": d["first_warning"],
        "warning_threshold": d["warning_threshold"], "status": d["status"],
    }])


def _range(values: pd.Series, language: Language = "en") -> str:
    low, high = float(values.min()), float(values.max())
    if high < 0.01:
        return label("range_below", language, p=percent(0.01, language))
    return label("range_from_to", language, low=probability(low, language),
                 high=probability(high, language))


def _verdict(values: pd.Series, threshold: float) -> bool:
    """Whether every value is on the same side of the warning threshold."""
    below = values < threshold
    return bool(below.all() or (~below).all())


class HeadlineBasis(NamedTuple):
    """What a programme's recruitment headline rests on (see :func:`headline_basis`)."""

    history: RecruitmentHistory
    source: str
    case_history: RecruitmentHistory | None
    snapshot: Snapshot | None
    release: PublicRelease | None


def headline_basis(programme: Programme, source: str = "auto") -> HeadlineBasis:
    """The monthly history the recruitment headline rests on: ``source`` ``case`` (the case
    data; for the public audience, the months the report-wide release shows) or
    ``snapshot`` (the latest published figure); ``auto`` takes real case data, else the
    snapshot, else synthetic case data. Also the case history, the snapshot and the public
    release (``None`` for the internal audience) it was chosen from."""
    config = programme.config
    has_case = programme.persons is not None or programme.monthly is not None
    case_history = recruitment_history(programme) if has_case else None
    public = config.audience == "public"
    release = public_release(programme) if public else None
    if release is not None and case_history is not None:
        require_publishable(programme)
        # The months every page of the public report agrees on (assess.release); none at
        # all when no count may be shown (the report then rests on the published figure).
        case_history = release.history if release.shows_recruitment else None
    snapshot = max(config.observed, key=lambda s: s.as_of) if config.observed else None
    if source == "auto":
        real_case = case_history is not None and not case_history.synthetic
        source = "case" if real_case or snapshot is None else "snapshot"
    if source == "snapshot" and snapshot is None:
        raise ValueError("source 'snapshot' needs an observed snapshot in the config")
    if source == "case" and case_history is None:
        raise ValueError("source 'case' needs a persons or monthly table")
    if source == "snapshot":
        assert snapshot is not None
        history = snapshot_history(config, snapshot)
    else:
        assert case_history is not None
        history = case_history
    return HeadlineBasis(history, source, case_history, snapshot, release)


def assess_shortfall(programme: Programme, *, prior_weight: PriorWeight | str | None = None,
                     source: str = "auto", language: Language | None = None,
                     ) -> ShortfallAssessment:
    """Assess a programme's recruitment shortfall.

    Parameters
    ----------
    programme
        From :func:`exitanalysis.load_programme`.
    prior_weight
        Default: the config's ``analysis.prior_weight``.
    source
        What the headline rests on: ``auto`` (case data if they are real, else the latest
        published snapshot, else synthetic case data), ``case`` or ``snapshot``.
    language
        Of figure labels (default: the config's).

    Returns
    -------
    ShortfallAssessment

    Examples
    --------
    >>> import exitanalysis as xa
    >>> config = xa.load_config("configs/exitpakke.yaml")
    >>> assessment = xa.assess_shortfall(xa.load_programme(config))
    >>> assessment.source, assessment.forecast.recruited
    ('published snapshot', 64)
    """
    config = programme.config
    spec = config.programme
    weight = config.analysis.prior_weight if prior_weight is None else prior_weight
    duration = period_months(config)
    basis = headline_basis(programme, source)
    history, source, case_history = basis.history, basis.source, basis.case_history
    snapshot, release = basis.snapshot, basis.release
    public = release is not None

    def replay(h: RecruitmentHistory) -> EarlyWarning:
        rule = warning_rule(h.period, target=spec.target, duration=duration,
                            alpha=config.analysis.warning_false_alarm)
        return replay_warnings(h, target=spec.target, duration=duration, start=spec.start,
                               rule=rule, closure=spec.closed)

    plan_forecast = forecast_from_history(history, target=spec.target, duration=duration,
                                          prior_weight=weight)
    check = prior_check(target=spec.target, duration=duration,
                        elapsed=history.effective_elapsed, recruited=history.recruited,
                        prior_weight=weight)
    data_forecast = (forecast_from_history(history, target=spec.target, duration=duration,
                                           prior_weight=0.0) if history.recruited > 0 else None)
    # A prior the data reject would pull the forecast towards a plan that has already failed:
    # the headline then rests on the data alone (or hedging, before any recruit).
    if not check.conflict:
        forecast = plan_forecast
    elif data_forecast is not None:
        forecast = data_forecast
    else:
        forecast = forecast_from_history(history, target=spec.target, duration=duration,
                                         prior_weight="hedging")
    comparison = partners = case_warning = partner_forecast = None
    if case_history is not None and case_history.recruited > 0:
        # One prior in every row, the data alone: the rows differ by model, not by prior.
        months = case_history.monthly
        comparison = ModelComparison(
            forecast_from_history(case_history, target=spec.target, duration=duration,
                                  prior_weight=0.0),
            overdispersed_from_history(case_history, target=spec.target, duration=duration,
                                       prior_weight=0.0),
            dispersion_test(months["recruited"].to_numpy(),
                            (months["plan_time"] * months["exposure"]).to_numpy()),
            case_history,
        )
        if len(case_history.by_partner) > 1:
            partners = fit_partners(case_history.by_partner.to_numpy(),
                                    np.full(len(case_history.by_partner),
                                            case_history.effective_elapsed),
                                    names=list(case_history.by_partner.index))
            partner_forecast = partners.forecast(
                target=spec.target, duration=duration, elapsed=case_history.effective_elapsed,
                horizon=case_history.total_time)
        case_warning = replay(case_history) if source == "snapshot" else None
    # The target counts inclusions: when the headline counts contacts, real case data can say
    # what share of contacts were included (synthetic case data must not touch a real figure).
    inclusions = None
    persons = programme.persons
    if (history.measure == "contacted" and persons is not None and case_history is not None
            and not case_history.synthetic and len(persons)):
        # Public: the released totals (the same cutoff and counts as every other page).
        included, contacted = ((release.totals["included"], release.totals["contacted"])
                               if release is not None
                               else (int(persons["included"].sum()), len(persons)))
        if included is not None and contacted:
            inclusions = forecast_inclusions(forecast, included=included, contacted=contacted)
    return ShortfallAssessment(
        programme=spec.name, target=spec.target, duration=duration, start=spec.start,
        end=spec.end, source="published snapshot" if source == "snapshot" else "case data",
        history=history, forecast=forecast, warning=replay(history), prior_check=check,
        plan_forecast=plan_forecast, data_forecast=data_forecast,
        warning_threshold=config.analysis.warning_threshold,
        prior_sensitivity=prior_sensitivity(history, target=spec.target, duration=duration),
        # Under the headline's prior: the question is how the headline moves with the date.
        snapshot_sensitivity=(snapshot_date_sensitivity(config, snapshot,
                                                        prior_weight=forecast.prior_weight)
                              if snapshot is not None else pd.DataFrame(columns=_SNAPSHOT_DATES)),
        snapshot_pace=(snapshot_pace(config, snapshot) if snapshot is not None
                       else pd.DataFrame(columns=_SNAPSHOT_PACE)),
        case_history=case_history, comparison=comparison, case_warning=case_warning,
        partners=partners, partner_forecast=partner_forecast, inclusions=inclusions,
        partner_names={o.id: o.name for o in spec.organisations},
        exposure_reasons=tuple(dict.fromkeys(e.reason for e in config.analysis.exposure
                                             if e.weight < 1 and e.reason)),
        planned_partner_rates=({o.id: spec.target / duration * o.planned_share
                                for o in spec.organisations if o.planned_share is not None}
                               or None),
        synthetic=bool(case_history is not None and case_history.synthetic
                       and (source == "case" or comparison is not None)),
        language=language or config.language,
        min_cell=config.analysis.min_cell if public else None,
        partners_hidden=release.hidden_partners if release is not None else frozenset(),
    )


__all__ = [
    "SNAPSHOT_SHARES",
    "KeyFindings",
    "ModelComparison",
    "SectionNote",
    "Sentences",
    "ShortfallAssessment",
    "assess_shortfall",
    "describe_basis",
    "headline_basis",
    "headline_frame",
    "partner_sentences",
    "recruitment_history",
    "snapshot_date_sensitivity",
    "snapshot_history",
    "warning_sentences",
]
