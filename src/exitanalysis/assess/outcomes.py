"""What came of the persons a programme included: the funnel from first contact to each
outcome, the share achieving each, the components received against the outcomes
(associations, not effects), the time to a first outcome, and the published figures of a
comparable programme beside them.

One call, :func:`assess_outcomes`, runs what the programme's data allow and says, for each
part it cannot run, why (:attr:`OutcomeAssessment.missing`): everything here needs the
persons and outcomes tables; the associations need the activities table too. The report
built on it is the ``outcomes`` notebook.

For the public audience the funnel and the shares show only the counts of persons the
report-wide audit publishes (:attr:`~exitanalysis.PublicRelease.outcomes`), to the release's
cutoff; the associations (cells of received × achieved) and the time curves (each step is a
handful of persons' months) are left out, and the page says so.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..data.programme import Programme
from ..data.public import load_public
from ..models.conversion import MIN_EVENTS
from ..models.outcomes import (
    COMPONENTS,
    ComponentAssociations,
    Funnel,
    OutcomeRates,
    component_associations,
    outcome_funnel,
    outcome_rates,
)
from ..models.survival import SurvivalCurves, time_to_first_outcome
from ..text import Language, label, number, p_value, percent
from .findings import (
    KeyFindings,
    Sentences,
    part_missing,
    parts_findings,
    parts_frame,
    parts_summary,
)
from .release import as_released, public_release

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: The parts of the report, in the order it shows them.
PARTS = ("funnel", "rates", "associations", "time", "reference")
#: The outcome whose associations with the components the report shows (work is what the
#: programme's funders ask about first); the others are in the notebook's tables.
MAIN_OUTCOME = "employment"
#: The component whose time to a first outcome the report compares (a landmark comparison):
#: the group course, the memo's first-named component.
LANDMARK_COMPONENT = "group_course"
#: The persons columns the funnel is also shown by.
FUNNEL_BY = ("organisation", "contact_channel")
#: The comparable programme whose before/after figures are shown beside the outcomes.
REFERENCE_PROGRAMME = "Exit Prostitution"
#: Its published measures (data/public/comparable_programmes.csv) as report words.
REFERENCE_MEASURES = {
    "share at risk of stress or depression (WHO-5) at start": "reference_who5_start",
    "share at risk of stress or depression (WHO-5) at end": "reference_who5_end",
    "share paid for sex in the last month at start": "reference_paid_start",
    "share paid for sex in the last month at end": "reference_paid_end",
    "share of participants who exited (RUPS I)": "reference_rups_exited",
}


@dataclass(frozen=True)
class OutcomeAssessment:
    """What the outcomes analysis found, part by part (``None`` where the data do not allow
    it; :attr:`missing` says why).

    Attributes
    ----------
    funnel
        Contacted → included → assessed → achieved each outcome, in distinct persons.
    rates
        The share of persons assessed who achieved each outcome, with Wilson intervals.
    associations
        The components received before the last assessment against :data:`MAIN_OUTCOME`.
    time
        Time from inclusion to a first outcome (Kaplan–Meier).
    reference
        The published before/after figures of :data:`REFERENCE_PROGRAMME`, with their
        caveats (from ``data/public/comparable_programmes.csv``).
    funnel_by
        The funnel by each of :data:`FUNNEL_BY` (internal audience only).
    names
        The organisations' names by id (from the config).
    landmarks
        For every component: the landmark comparison's persons, events and log-rank test
        (internal only; a component with too few persons on either side has no test).
    time_by
        Time to a first outcome by whether :data:`LANDMARK_COMPONENT` was received in the
        first months (a landmark comparison with its log-rank test; internal only).
    missing
        Part → why it is not there (a key of the report vocabulary, ``why_*``).
    synthetic, public, language
        Whether the case data are synthetic, the audience is public, and the language of the
        sentences and figures when none is asked for.
    """

    funnel: Funnel | None
    rates: OutcomeRates | None
    associations: ComponentAssociations | None
    time: SurvivalCurves | None
    reference: pd.DataFrame | None
    missing: dict[str, str] = field(default_factory=dict)
    synthetic: bool = False
    public: bool = False
    language: Language = "en"
    funnel_by: dict[str, Funnel] = field(default_factory=dict)
    time_by: SurvivalCurves | None = None
    names: dict[str, str] = field(default_factory=dict)
    landmarks: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """Which parts ran, and why the others did not."""
        return parts_frame(self, PARTS)

    def explain(self, topic: str, language: Language | None = None) -> Sentences:
        """The sentences of one part (see :data:`PARTS`) in ``language``, every number from
        its result; a part that did not run says why."""
        if topic not in (*PARTS, "time_by", "funnel_by"):
            raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(PARTS)}, "
                             f"time_by or funnel_by")
        language = language or self.language
        if topic == "funnel_by":
            return Sentences("" if self.funnel_by else str(part_missing(
                "outcomes", "funnel_by", self.missing.get("funnel_by", "why_no_persons"),
                language)))
        result: Any = getattr(self, topic)
        if topic == "time_by" and result is None:
            return part_missing("outcomes", "time", self.missing.get(
                "time_by", self.missing.get("time", "why_model_failed")), language)
        if result is None:
            return part_missing("outcomes", topic, self.missing.get(topic, "why_model_failed"),
                                language)
        return Sentences(_SENTENCES[topic](self, language))

    def key_findings(self, language: Language | None = None) -> KeyFindings:
        """The funnel, the outcomes most and least often achieved, the time to a first
        outcome and what the components show: the parts that ran, one sentence each."""
        language = language or self.language
        sentences = tuple(str(self.explain(part, language)).split("\n")[0]
                          for part in ("funnel", "rates", "time", "associations")
                          if getattr(self, part) is not None)
        return parts_findings(sentences, nothing="outcomes_nothing", basis="outcomes_basis",
                              synthetic=self.synthetic, language=language)

    def plot(self, part: str = "funnel", ax: Axes | None = None,
             language: Language | None = None) -> Axes:
        """The figure of one part (``funnel``, ``rates``, ``associations``, ``time``) in
        ``language``; a part that did not run draws its reason."""
        from ..figures.outcomes import plot_outcome_part

        return plot_outcome_part(self, part, ax=ax, language=language or self.language)

    def figure_title(self, part: str, language: Language | None = None) -> str | None:
        """The title that states a figure's finding, from its result (``None``: the figure
        keeps its own title, as when there is nothing to find)."""
        language = language or self.language
        if part == "funnel" and self.funnel is not None:
            steps = self.funnel.table.query("group == 'all'").set_index("step")["persons"]
            if "assessed" in steps:
                return label("fig_outcomes_funnel", language,
                             contacted=number(int(steps["contacted"]), language),
                             included=number(int(steps["included"]), language),
                             assessed=number(int(steps["assessed"]), language))
        if part == "rates" and self.rates is not None:
            table = self.rates.table.query("group == 'all' and enough")
            if len(table):
                high, low = table.loc[table["share"].idxmax()], table.loc[table["share"].idxmin()]
                title = label("fig_outcomes_rates", language,
                              high_name=label(str(high["outcome"]), language),
                              high=percent(high["share"], language),
                              low_name=label(str(low["outcome"]), language),
                              low=percent(low["share"], language))
                return title[:1].upper() + title[1:]
        if part == "time" and self.time is not None:
            row = self.time.medians().iloc[0]
            if row["reached"] and np.isfinite(row["median"]):
                return label("fig_outcomes_time", language,
                             median=number(row["median"], language, 0))
        return None

    def landmark_frame(self, language: Language | None = None) -> pd.DataFrame:
        """The landmark comparison for every component, as a table a reader can take in."""
        language = language or self.language
        if self.landmarks is None:
            return pd.DataFrame(columns=["component"])
        frame = self.landmarks.drop(columns="enough")
        frame["component"] = [label(str(c), language) for c in frame["component"]]
        return frame.rename(columns={"received": "landmark_received",
                                     "not_received": "landmark_not_received",
                                     "chi_square": "logrank_chi_square",
                                     "p_value": "logrank_p_value"})

    def funnel_frame(self, by: str, language: Language | None = None) -> pd.DataFrame:
        """The funnel by ``by`` (one of :data:`FUNNEL_BY`) as a table: one row per group,
        persons contacted, included, assessed and achieving each outcome (empty when not
        computed, as for the public audience)."""
        language = language or self.language
        funnel = self.funnel_by.get(by)
        if funnel is None:
            return pd.DataFrame(columns=[by])
        table = funnel.table[funnel.table["group"] != "all"]
        column = table["step"].where(table["step"] != "achieved", table["outcome"])
        wide = (table.assign(column=column)
                .pivot_table(index="group", columns="column", values="persons",
                             aggfunc="sum", sort=False).fillna(0).astype(int))
        wide.index = [self.names.get(str(g)) or label(str(g), language) for g in wide.index]
        wide.index.name, wide.columns.name = by, None
        return wide.reset_index()

    def reference_frame(self, language: Language | None = None) -> pd.DataFrame:
        """The comparable programme's published figures as a table a reader can take in:
        what was measured (in the reader's language), the share, and the source."""
        language = language or self.language
        if self.reference is None:
            return pd.DataFrame(columns=["measure", "reference_share", "source"])
        frame = self.reference
        return pd.DataFrame({
            "measure": [label(REFERENCE_MEASURES.get(str(m), "reference_measure_other"),
                              language) for m in frame["measure"]],
            "reference_share": [percent(float(v), language) for v in frame["value"]],
            "source": frame["source"].to_numpy()})

    def summary(self) -> str:
        return parts_summary(self, PARTS, {"reference": lambda frame: (
            f"reference: {len(frame)} published figures of {REFERENCE_PROGRAMME}.")})


# --- sentences ---------------------------------------------------------------------------------


def _funnel_sentences(result: OutcomeAssessment, language: Language) -> str:
    funnel = result.funnel
    assert funnel is not None
    table = funnel.table[funnel.table["group"] == "all"].set_index("step")
    contacted = int(table.loc["contacted", "persons"])
    included = int(table.loc["included", "persons"])
    assessed = int(table.loc["assessed", "persons"])
    return label("outcomes_funnel", language, contacted=number(contacted, language),
                 included=number(included, language), assessed=number(assessed, language),
                 share=percent(assessed / included if included else np.nan, language))


def _rates_sentences(result: OutcomeAssessment, language: Language) -> str:
    rates = result.rates
    assert rates is not None
    table = rates.table[(rates.table["group"] == "all") & rates.table["enough"]]
    if not len(table):
        return label("outcomes_rates_few", language)
    high, low = table.loc[table["share"].idxmax()], table.loc[table["share"].idxmin()]
    return "\n".join([
        label("outcomes_rates", language, high_name=label(str(high["outcome"]), language),
              high=percent(high["share"], language), hlow=percent(high["share_low"], language),
              hhigh=percent(high["share_high"], language),
              low_name=label(str(low["outcome"]), language),
              low=percent(low["share"], language), llow=percent(low["share_low"], language),
              lhigh=percent(low["share_high"], language)),
        label("outcomes_rates_meaning", language)])


def _associations_sentences(result: OutcomeAssessment, language: Language) -> str:
    associations = result.associations
    assert associations is not None
    table = associations.table[associations.table["enough"]]
    outcome = label(MAIN_OUTCOME, language)
    if not len(table):
        return label("outcomes_associations_few", language, outcome=outcome)
    row = table.loc[(np.log(table["odds_ratio"])).abs().idxmax()]
    return "\n".join([
        label("outcomes_association", language, outcome=outcome,
              component=label(str(row["exposure"]), language),
              ratio=number(row["odds_ratio"], language, 2),
              low=number(row["or_low"], language, 2), high=number(row["or_high"], language, 2),
              e=number(row["e_value"], language, 2),
              e_limit=number(row["e_value_limit"], language, 2)),
        label("outcomes_association_meaning", language)])


def _time_sentences(result: OutcomeAssessment, language: Language) -> str:
    curves = result.time
    assert curves is not None
    medians = curves.medians()
    row = medians.iloc[0]
    if not row["reached"] or not np.isfinite(row["median"]):
        return label("outcomes_time_not_reached", language, n=number(int(row["n"]), language))
    return "\n".join([
        label("outcomes_time", language, n=number(int(row["n"]), language),
              median=number(row["median"], language, 0)),
        label("outcomes_time_meaning", language)])


def _reference_sentences(result: OutcomeAssessment, language: Language) -> str:
    return label("outcomes_reference", language)


def _time_by_sentences(result: OutcomeAssessment, language: Language) -> str:
    curves = result.time_by
    assert curves is not None
    if curves.logrank is None:
        return label("outcomes_time_by_few", language,
                     component=label(LANDMARK_COMPONENT, language))
    return "\n".join([
        label("outcomes_time_by", language, component=label(LANDMARK_COMPONENT, language),
              months=number(curves.landmark or 0, language),
              chi=number(curves.logrank.statistic, language, 2),
              p=p_value(curves.logrank.p_value, language)),
        label("outcomes_time_by_meaning", language)])


_SENTENCES = {"time_by": _time_by_sentences, "funnel": _funnel_sentences, "rates": _rates_sentences,
              "associations": _associations_sentences, "time": _time_sentences,
              "reference": _reference_sentences}


# --- the analysis ------------------------------------------------------------------------------


def reference_figures() -> pd.DataFrame:
    """The published outcome shares of comparable programmes from ``data/public``: the
    before/after shares of :data:`REFERENCE_PROGRAMME`, and the share of RUPS I's
    participants who left (1,002 of about 1,750; the Netherlands, 2008–2013)."""
    table = load_public()["comparable_programmes"]
    rows = table[table["programme"].str.startswith(REFERENCE_PROGRAMME)
                 & (table["unit"] == "proportion")]
    frame = rows[["measure", "value", "note", "source"]].reset_index(drop=True)
    rups = table[table["programme"].str.startswith("RUPS I ")].set_index("measure")
    if {"participants", "participants who exited"} <= set(rups.index):
        exited = float(rups.loc["participants who exited", "value"])
        share = exited / float(rups.loc["participants", "value"])
        frame = pd.concat([frame, pd.DataFrame([{
            "measure": "share of participants who exited (RUPS I)", "value": share,
            "note": "about 1,750 participants; the Netherlands, 2008-2013",
            "source": rups.loc["participants who exited", "source"]}])], ignore_index=True)
    return frame


def assess_outcomes(programme: Programme) -> OutcomeAssessment:
    """Every outcomes analysis the programme's data allow (see :class:`OutcomeAssessment`
    and the module notes for the public audience)."""
    config = programme.config
    public = config.audience == "public"
    synthetic = bool(programme.synthetic)
    missing: dict[str, str] = {}
    reference = reference_figures()
    release = public_release(programme) if public else None
    if release is not None and release.cutoff is None:
        return OutcomeAssessment(None, None, None, None, reference,
                                 dict.fromkeys(PARTS[:-1], "why_public_nothing"), synthetic,
                                 True, config.language)
    if release is not None:
        programme = as_released(programme, release)
    persons, outcomes = programme.persons, programme.outcomes
    if persons is None or outcomes is None or not len(outcomes):
        reason = "why_no_persons" if persons is None else "why_no_outcomes"
        return OutcomeAssessment(None, None, None, None, reference,
                                 dict.fromkeys(PARTS[:-1], reason), synthetic, public,
                                 config.language)
    funnel: Funnel | None = outcome_funnel(persons, outcomes)
    rates: OutcomeRates | None = outcome_rates(persons, outcomes)
    associations = time = time_by = landmarks = None
    funnel_by: dict[str, Funnel] = {}
    if release is not None:
        assert funnel is not None and rates is not None
        funnel, rates = _published(funnel, rates, release.outcomes, release.totals)
        for part in ("associations", "time", "funnel_by"):
            missing[part] = f"why_public_{part}"
        if funnel is None:
            missing["funnel"] = missing["rates"] = "why_public_withheld"
    else:
        if programme.activities is None:
            missing["associations"] = "why_no_activities"
        else:
            try:
                associations = component_associations(persons, programme.activities, outcomes,
                                                      MAIN_OUTCOME)
            except ValueError:
                missing["associations"] = "why_model_failed"
        try:
            time = time_to_first_outcome(persons, outcomes, as_of=programme.as_of)
        except ValueError:
            missing["time"] = "why_model_failed"
        if programme.activities is not None:
            try:
                time_by = time_to_first_outcome(persons, outcomes, programme.activities,
                                                as_of=programme.as_of, by=LANDMARK_COMPONENT)
            except ValueError:
                missing["time_by"] = "why_model_failed"
        else:
            missing["time_by"] = "why_no_activities"
        funnel_by = {by: outcome_funnel(persons, outcomes, by=by) for by in FUNNEL_BY
                     if by in persons}
        if programme.activities is not None:
            landmarks = landmark_comparisons(persons, outcomes, programme.activities,
                                             as_of=programme.as_of)
    return OutcomeAssessment(funnel, rates, associations, time, reference, missing, synthetic,
                             public, config.language, funnel_by, time_by,
                             {o.id: o.name for o in config.programme.organisations},
                             landmarks)


def landmark_comparisons(persons: pd.DataFrame, outcomes: pd.DataFrame,
                         activities: pd.DataFrame, *, as_of: Any) -> pd.DataFrame:
    """Time to a first outcome by whether each component was received in the first months
    after inclusion (the landmark comparison of :func:`time_to_first_outcome`): persons and
    events on each side and the log-rank test, one row per component."""
    rows = []
    for component in COMPONENTS:
        try:
            curves = time_to_first_outcome(persons, outcomes, activities, as_of=as_of,
                                           by=component)
        except ValueError:
            continue
        medians = curves.medians().set_index("group")
        test = curves.logrank
        received = int(medians["n"].get("received", 0))
        not_received = int(medians["n"].get("not_received", 0))
        # A side of fewer than MIN_EVENTS persons: the test's normal approximation fails.
        enough = test is not None and min(received, not_received) >= MIN_EVENTS
        rows.append({
            "component": component, "received": received, "not_received": not_received,
            "chi_square": test.statistic if enough and test is not None else np.nan,
            "p_value": test.p_value if enough and test is not None else np.nan,
            "enough": enough})
    return pd.DataFrame(rows, columns=["component", "received", "not_received", "chi_square",
                                       "p_value", "enough"])


def _published(funnel: Funnel, rates: OutcomeRates, released: Any,
               totals: Any) -> tuple[Funnel | None, OutcomeRates | None]:
    """The funnel and shares with only the counts the audit publishes: an outcome whose
    assessed or achieved count is withheld is left out, and nothing is shown when a count
    here is not the audited one (the two would then count different persons)."""
    steps = funnel.table[funnel.table["group"] == "all"].set_index("step")
    if (totals.get("contacted") != int(steps.loc["contacted", "persons"])
            or totals.get("included") != int(steps.loc["included", "persons"])):
        return None, None
    keep = []
    for row in rates.table.itertuples(index=False):
        assessed = released.get(f"assessed/{row.outcome}")
        achieved = released.get(f"achieved/{row.outcome}")
        if assessed is None or achieved is None:
            continue
        if (assessed, achieved) != (int(row.assessed), int(row.achieved)):
            return None, None
        keep.append(row.outcome)
    if not keep:
        return None, None
    shown = funnel.table[(funnel.table["step"] != "achieved")
                         | funnel.table["outcome"].isin(keep)]
    # The assessed step is published only as each outcome's assessed count.
    assessed_counts = {released.get(f"assessed/{o}") for o in keep}
    if assessed_counts != {int(steps.loc["assessed", "persons"])}:
        shown = shown[shown["step"] != "assessed"]
    return (dataclasses.replace(funnel, table=shown.reset_index(drop=True)),
            dataclasses.replace(rates, table=rates.table[rates.table["outcome"].isin(keep)]
                     .reset_index(drop=True)))


__all__ = ["FUNNEL_BY", "LANDMARK_COMPONENT", "MAIN_OUTCOME", "PARTS", "REFERENCE_PROGRAMME",
           "OutcomeAssessment", "assess_outcomes", "landmark_comparisons", "reference_figures"]
