"""Was the target realistic, and what would work next: the ``target_realism`` report.

One call, :func:`assess_realism`, runs four parts and says, for each it cannot run, why
(:attr:`TargetRealism.missing`):

``funnel``
    The target against the population it draws on: persons selling sex × the share in the
    programme's area × turnover over the period × the share wishing to leave × eligible ×
    reached × uptake, each an uncertain range (``analysis.realism.funnel``). The population
    and the share wishing to leave default to the public figures in ``data/public/``; the
    other factors are stated assumptions, and the report shows which of them moves the answer.
``reference``
    What comparable programmes achieved (``analysis.realism.reference_class``, by default
    Exit Prostitution, DK 2012–2016) as a prior for a new programme's monthly rate, the
    probability that such a programme reaches the target in its period, and the target it
    reaches at the chosen assurance levels.
``scenarios``
    Each initiative in ``analysis.realism.scenarios`` as a stated change to the status quo
    (the pace the headline rests on), alone, in the listed combinations and all together.
``population``
    How many persons the lists missed: capture–recapture across the partners' own records
    (a person on a partner's list through that partner's contact or activity; a referral is
    not an independent sighting, so it does not put a person on the receiving list), or
    across outside lists given as aggregate capture histories; and the multiplier method when
    configured.

The funnel, the reference class and the scenarios' status quo rest on published figures and
stated assumptions, never on synthetic case data; a part that does rest on synthetic data
says so and stays out of the key findings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..data.config import FUNNEL_FACTORS, FactorRange, RealismSpec
from ..data.programme import Programme
from ..data.public import load_public
from ..models.population import (
    PopulationEstimate,
    capture_frequencies,
    chao_lower_bound,
    chapman,
    loglinear_capture_recapture,
    multiplier_estimate,
    pairwise_overlaps,
    zelterman,
)
from ..models.targets import (
    BaseRate,
    FunnelCheck,
    Range,
    ReachableTarget,
    ReferenceClass,
    ReferenceProgramme,
    Scenario,
    ScenarioResults,
    funnel_check,
    reference_class,
    simulate_scenarios,
)
from ..text import Language, label, number, p_value, percent, probability, rate
from .cases import period_months
from .findings import KeyFindings, Sentences, about, part_missing, parts_frame, parts_summary
from .release import as_released, public_release
from .shortfall import headline_basis

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: The parts of the report, in the order it shows them.
PARTS = ("funnel", "reference", "scenarios", "population")
#: Spreads of the between-programme prior the reference-class part also shows.
TAU_SCALES = (0.25, 0.5, 1.0)
#: Robson & Regier (1964): Chapman's estimate is nearly unbiased from 7 shared persons on.
MIN_OVERLAP = 7
#: Zelterman's estimator treats sightings as Poisson counts with no upper bound: on a few
#: lists (binomial sightings) it overestimates (3 lists catching 20 % each: by a quarter).
MIN_LISTS_ZELTERMAN = 10
#: The published figures the funnel's defaults rest on (``data/public/prevalence_denmark``).
_POPULATION_MEASURE = "unique persons selling sex at least once in the year"
#: The population figure published before 2020, when Exitpakke's target was set.
_EARLIER_MEASURE = "annual mapping count"
_WISH_MEASURE = "share who said they wished to leave prostitution"
#: The reference class's default (``data/public/comparable_programmes``).
_REFERENCE_PROGRAMME = "Exit Prostitution"
_REFERENCE_MEASURE = "persons who started a CTI course"
#: Exit Prostitution ran "2012–2016"; the source gives years, so its months are 60 at most.
_REFERENCE_MONTHS = 60.0
#: The stated assumptions of the funnel where nothing is published (see the report's annex).
_ASSUMED_FUNNEL = {
    "share_in_area": (0.30, 0.60),
    "turnover": (1.0, 2.0),
    "eligible": (0.50, 0.90),
    "reached": (0.20, 0.60),
    "uptake": (0.30, 0.70),
}
ASSUMPTION = "assumption"


@dataclass(frozen=True)
class ReferenceCheck:
    """The reference class applied to this programme's target and period.

    Attributes
    ----------
    model
        The predictive distribution of a new programme's monthly rate.
    target, months
        The target and the period (months) it is checked over.
    p_reach, p_reach_se
        P(a programme like the class reaches ``target`` in ``months``), and its Monte Carlo
        standard error.
    reachable
        Assurance level → (the largest target reached with at least that probability, its
        Monte Carlo error).
    sensitivity
        The same under other spreads of the between-programme prior: ``tau_scale``,
        ``p_reach``, ``p_reach_se`` and ``reachable_<level>`` for each assurance level.
    """

    model: ReferenceClass
    target: int
    months: float
    p_reach: float
    p_reach_se: float
    reachable: Mapping[float, ReachableTarget]
    sensitivity: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.model.to_frame()

    def summary(self) -> str:
        levels = ", ".join(f"{t} at {level:.0%}" for level, (t, _) in self.reachable.items())
        return (f"Reference class: P(reach {self.target} in {self.months:g} months) = "
                f"{self.p_reach:.3g} (MC SE {self.p_reach_se:.2g}); reachable: {levels}.")


@dataclass(frozen=True)
class PopulationSizes:
    """How many persons the lists missed.

    Attributes
    ----------
    lists
        The lists' names (partners or outside lists).
    basis
        ``partners`` (the partners' own records) or ``outside`` (the config's capture
        histories).
    histories
        One row per capture history seen: a 0/1 column per list and ``count``.
    observed
        Distinct persons on any list.
    estimates
        Method → its estimate, for each estimator that could run: ``chapman:<a>:<b>`` per
        pair of lists, ``chao``, ``zelterman``, ``loglinear``.
    why_not
        Method → why it did not run (a ``why_*`` key).
    names
        The lists' names as a report shows them (the partners' names from the config).
    """

    lists: tuple[str, ...]
    basis: str
    histories: pd.DataFrame
    observed: int
    estimates: dict[str, PopulationEstimate]
    why_not: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def overlaps(self) -> pd.DataFrame:
        """Persons on each list and on each pair of lists."""
        return pairwise_overlaps(self.histories)

    @property
    def shared(self) -> int:
        """Persons on more than one list."""
        on = self.histories[list(self.lists)].sum(axis=1)
        return int(self.histories.loc[on > 1, "count"].sum())

    def method_name(self, key: str, language: Language = "en") -> str:
        """A method as a report names it: ``Chapman (Reden København and Liva Rehab)``,
        ``log-linear model (A×B + B×C)``."""
        if key.startswith("chapman:"):
            _, a, b = key.split(":", 2)
            return label("method_chapman", language, a=self.names.get(a, a),
                         b=self.names.get(b, b))
        if key == "loglinear" and key in self.estimates:
            chosen = getattr(self.estimates[key], "chosen", "")
            for name in self.lists:
                chosen = chosen.replace(name, self.names.get(name, name))
            return label("method_loglinear_model", language, model=chosen.replace("*", "×"))
        return label(f"method_{key}", language)

    def to_frame(self) -> pd.DataFrame:
        if not self.estimates:
            return pd.DataFrame(columns=["key", "method", "observed", "estimate", "se",
                                         "ci_low", "ci_high"])
        frame = pd.concat([e.to_frame() for e in self.estimates.values()], ignore_index=True)
        frame.insert(0, "key", list(self.estimates))
        return frame

    def summary(self) -> str:
        lines = [f"Lists: {', '.join(self.lists)} ({self.basis}); {self.observed} persons, "
                 f"{self.shared} on more than one list."]
        lines += [e.summary() for e in self.estimates.values()]
        lines += [f"{name}: not run ({why})." for name, why in self.why_not.items()]
        return "\n".join(lines)


@dataclass(frozen=True)
class TargetRealism:
    """What the target-realism analysis found, part by part (``None`` where it could not
    run; :attr:`missing` says why).

    Attributes
    ----------
    funnel
        The target against the population funnel.
    funnel_when_set
        The same funnel with the population figure that was published when the target was
        set (SFI's 2010 mapping, before the 2020 programme), when the population is the
        default; ``None`` otherwise.
    reference
        The target against comparable programmes.
    scenarios
        Each initiative's P(reach the target) and the target it reaches at the assurance.
    population
        Capture–recapture across lists.
    multiplier
        The multiplier method's size estimate, when configured.
    target, duration, horizon
        The programme's target and period (months), and the period of a new programme
        that the reference class and the scenarios are run over.
    assurance
        The assurance levels (probabilities) a reachable target is stated at.
    scenario_basis
        What the status quo rests on: ``published snapshot`` or ``case data``.
    scenario_labels
        Scenario name → its label in English and Danish.
    missing
        Part → why it is not there (a ``why_*`` key of the report vocabulary).
    synthetic_parts
        The parts that rest on synthetic data.
    public, language
        The audience is public; the language of sentences and figures.
    """

    funnel: FunnelCheck | None
    funnel_when_set: FunnelCheck | None
    reference: ReferenceCheck | None
    scenarios: ScenarioResults | None
    population: PopulationSizes | None
    multiplier: PopulationEstimate | None
    target: int
    duration: float
    horizon: float
    assurance: tuple[float, ...]
    scenario_basis: str = "published snapshot"
    scenario_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    synthetic_parts: frozenset[str] = frozenset()
    public: bool = False
    language: Language = "en"

    @property
    def synthetic(self) -> bool:
        """Whether any part shown rests on synthetic data."""
        return bool(self.synthetic_parts)

    def to_frame(self) -> pd.DataFrame:
        """Which parts ran, and why the others did not."""
        frame = parts_frame(self, PARTS)
        frame["synthetic"] = [p in self.synthetic_parts for p in PARTS]
        return frame

    def summary(self) -> str:
        return parts_summary(self, PARTS)

    def _repr_html_(self) -> str:
        return f"<pre>{self.summary()}</pre>"

    def explain(self, topic: str, language: Language | None = None) -> Sentences:
        """The sentences of one part (see :data:`PARTS`) in ``language``, every number from
        its result; a part that did not run says why."""
        if topic not in PARTS:
            raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(PARTS)}")
        language = language or self.language
        if getattr(self, topic) is None:
            return part_missing("realism", topic, self.missing.get(topic, "why_model_failed"),
                                language)
        return Sentences(_SENTENCES[topic](self, language))

    def key_findings(self, language: Language | None = None) -> KeyFindings:
        """One sentence per part that ran on published figures and stated assumptions; a
        part resting on synthetic data stays out (a synthetic number never stands beside a
        real one), unless every part does."""
        language = language or self.language
        real = [p for p in PARTS
                if getattr(self, p) is not None and p not in self.synthetic_parts]
        shown = real or [p for p in PARTS if getattr(self, p) is not None]
        sentences = tuple(str(self.explain(p, language)).split("\n")[0] for p in shown)
        synthetic = not real and bool(shown)
        basis = label("realism_basis", language)
        if synthetic:
            basis = label("synthetic_prefix", language) + basis
        elif self.synthetic_parts:
            basis += " " + label("realism_basis_synthetic_left_out", language, parts=", ".join(
                _lower_first(label(f"realism_part_{p}", language))
                for p in PARTS if p in self.synthetic_parts))
        return KeyFindings(sentences or (label("realism_nothing", language),), basis,
                           synthetic, language)

    def scenario_label(self, name: str, language: Language | None = None) -> str:
        """A scenario's (or combination's) name in the reader's language."""
        language = language or self.language
        if name in self.scenario_labels:
            return self.scenario_labels[name][language]
        if " + " in name:
            return " + ".join(self.scenario_label(n, language) for n in name.split(" + "))
        return label(f"scenario_{name.replace(' ', '_')}", language)

    def factors_frame(self, language: Language | None = None) -> pd.DataFrame:
        """The funnel's factors as the report shows them: name, range, source."""
        language = language or self.language
        if self.funnel is None:
            return pd.DataFrame()
        rows = []
        for name, factor in self.funnel.factors.items():
            shown = _range_words(factor, share=name != "population" and name != "turnover",
                                 language=language)
            rows.append({"factor": label(f"funnel_{name}", language), "range": shown,
                         "source": _source_word(factor.source, language)})
        return pd.DataFrame(rows, columns=["factor", "range", "source"])

    def assumptions_frame(self, language: Language | None = None) -> pd.DataFrame:
        """Every scenario's effects as the settings state them: one row per effect with its
        range (``low``, ``high``) and its source ("assumption" where no study gives it)."""
        language = language or self.language
        rows = []
        for scenario in (self.scenarios.scenarios if self.scenarios is not None else ()):
            for effect in ("contact_rate", "conversion", "retention", "new_seekers_share"):
                value: Range | None = getattr(scenario, effect)
                if value is None:
                    continue
                name = label(f"effect_{effect}", language)
                if effect == "contact_rate" and scenario.channel is not None:
                    name += f" ({label(scenario.channel, language)})"
                rows.append({"scenario": self.scenario_label(scenario.name, language),
                             "effect": name,
                             "range": _range_words(value, share=effect == "new_seekers_share",
                                                   language=language),
                             "source": _source_word(value.source, language)})
        return pd.DataFrame(rows, columns=["scenario", "effect", "range", "source"])

    def scenario_frame(self, language: Language | None = None) -> pd.DataFrame:
        """The scenario table with names in the reader's language."""
        language = language or self.language
        if self.scenarios is None:
            return pd.DataFrame()
        frame = self.scenarios.to_frame()
        frame["scenario"] = [self.scenario_label(n, language) for n in frame["scenario"]]
        frame = frame.rename(columns={"expected": "expected_persons"})
        return frame[["scenario", "p_reach", "p_reach_se", "reachable", "reachable_low",
                      "reachable_high", "expected_persons"]]

    def plot(self, part: str = "funnel", ax: Axes | None = None,
             language: Language | None = None) -> Axes:
        """The figure of one part (``funnel``, ``tornado``, ``reference``, ``scenarios``,
        ``population``) in ``language``; a part that did not run draws its reason."""
        from ..figures.realism import plot_realism_part

        return plot_realism_part(self, part, ax=ax, language=language or self.language)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# --- defaults from the public figures ----------------------------------------------------------


def _published(frame: pd.DataFrame, **where: str) -> pd.Series:
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column].astype(str).str.startswith(value)]
    if len(rows) != 1:
        raise LookupError(f"expected one public figure for {where}, found {len(rows)}")
    return rows.iloc[0]


def default_funnel(folder: str | None = None) -> dict[str, Range]:
    """The funnel's defaults: the population and the share wishing to leave from
    ``data/public/prevalence_denmark.csv`` (each widened to a stated range, since the
    sources give no interval), the other factors as stated assumptions."""
    prevalence = load_public(folder)["prevalence_denmark"]
    population = _published(prevalence, measure=_POPULATION_MEASURE)
    wish = _published(prevalence, measure=_WISH_MEASURE)
    value, share = float(population["value"]), float(wish["value"])
    factors = {
        # The widening is a stated assumption (the report's annex says so): the sources
        # give no interval.
        "population": Range(0.8 * value, 1.2 * value, value,
                            f"{population['source']} ({population['period']})"),
        "wish_to_leave": Range(share - 0.08, share + 0.08, share,
                               f"{wish['source']} ({wish['period']})"),
    }
    factors |= {name: Range(low, high, None, ASSUMPTION)
                for name, (low, high) in _ASSUMED_FUNNEL.items()}
    return {name: factors[name] for name in FUNNEL_FACTORS}


def population_when_set(folder: str | None = None) -> Range:
    """The population known when a 2020 target was set: SFI's 2010 mapping (about 3,200 a
    year, all arenas), widened to ±20 % like the current figure."""
    prevalence = load_public(folder)["prevalence_denmark"]
    row = _published(prevalence, measure=_EARLIER_MEASURE, arena="all")
    value = float(row["value"])
    return Range(0.8 * value, 1.2 * value, value, f"{row['source']} ({row['period']})")


def default_reference_class(folder: str | None = None) -> list[ReferenceProgramme]:
    """Exit Prostitution (DK, 2012–2016): persons who started a course, over 60 months (the
    source gives years only, so the rate is the lowest the figures allow)."""
    table = load_public(folder)["comparable_programmes"]
    row = _published(table, programme=_REFERENCE_PROGRAMME, measure=_REFERENCE_MEASURE)
    return [ReferenceProgramme(_REFERENCE_PROGRAMME, int(row["value"]), _REFERENCE_MONTHS,
                               f"{row['source']} ({row['period']})")]


def _as_range(spec: FactorRange) -> Range:
    return Range(spec.low, spec.high, spec.mode, spec.source)


def funnel_factors(spec: RealismSpec) -> dict[str, Range]:
    """The funnel's factors: the config's where given, else the defaults."""
    factors = default_funnel()
    factors |= {name: _as_range(value) for name, value in spec.funnel.items()}
    return factors


def area_population(factors: Mapping[str, Range]) -> Range:
    """Persons selling sex in the area over the period (population × share in the area ×
    turnover) as one range: the products of the ends, with the product of the central values
    as its mode (an approximation of the product's spread, used for new seekers)."""
    parts = [factors[name] for name in ("population", "share_in_area", "turnover")]
    return Range(float(np.prod([p.low for p in parts])), float(np.prod([p.high for p in parts])),
                 float(np.prod([p.central for p in parts])), ASSUMPTION)


# --- the parts ---------------------------------------------------------------------------------


def _reference_check(programmes: Sequence[ReferenceProgramme], *, tau_scale: float,
                     target: int, months: float, assurance: Sequence[float], draws: int,
                     seed: int) -> ReferenceCheck:
    model = reference_class(programmes, tau_scale=tau_scale)
    p, se = model.p_reach(target, months, draws=draws, seed=seed)
    reachable = {a: model.target_at(a, months, draws=draws, seed=seed) for a in assurance}
    rows = []
    for scale in sorted({*TAU_SCALES, tau_scale}):
        other = reference_class(programmes, tau_scale=scale)
        p_other, se_other = other.p_reach(target, months, draws=draws, seed=seed)
        row: dict[str, Any] = {"tau_scale": scale, "p_reach": p_other, "p_reach_se": se_other}
        for a in assurance:
            row[f"reachable_{round(a * 100)}"] = other.target_at(a, months, draws=draws,
                                                                 seed=seed)[0]
        rows.append(row)
    return ReferenceCheck(model, target, months, p, se, reachable, pd.DataFrame(rows))


def _scenario_base(programme: Programme, factors: Mapping[str, Range],
                   channels: bool) -> tuple[BaseRate | None, str, bool]:
    """The status quo: the pace the recruitment headline rests on (the data alone), the
    channels' shares when a scenario names a channel, and the area's population (``None``
    before the first recruit: there is no pace to change)."""
    basis = headline_basis(programme)
    history = basis.history
    shown = "published snapshot" if basis.source == "snapshot" else "case data"
    if history.recruited <= 0:
        return None, shown, False
    counts = None
    synthetic = bool(history.synthetic)
    released = _released(programme)
    persons = released.persons if released is not None else None
    if channels and persons is not None and len(persons):
        counts = persons["contact_channel"].astype(str).value_counts().to_dict()
        synthetic = synthetic or bool(programme.synthetic)
    base = BaseRate(shape=float(history.recruited), rate=float(history.effective_elapsed),
                    channel_counts=counts, population=area_population(factors))
    return base, shown, synthetic


def _scenarios(spec: RealismSpec) -> list[Scenario]:
    def rng(value: FactorRange | None) -> Range | None:
        return _as_range(value) if value is not None else None

    return [Scenario(s.name, s.source, s.channel, rng(s.contact_rate), rng(s.conversion),
                     rng(s.retention), rng(s.new_seekers_share)) for s in spec.scenarios]


def partner_histories(programme: Programme) -> pd.DataFrame:
    """Capture histories across the partners' own records: a person is on a partner's list
    when the partner first contacted them or recorded an activity with them. A referral does
    not put a person on the receiving partner's list: one partner sending a person to another
    is not an independent sighting, and counting it would make the lists dependent by
    construction."""
    ids = list(programme.config.programme.organisation_ids)
    persons = programme.persons
    assert persons is not None
    on = [persons[["person_id", "organisation"]]]
    if programme.activities is not None:
        on.append(programme.activities[["person_id", "organisation"]])
    membership = pd.concat(on).drop_duplicates()
    table = pd.crosstab(membership["person_id"], membership["organisation"]).clip(upper=1)
    table = table.reindex(columns=ids, fill_value=0)
    histories = table.value_counts().rename("count").reset_index()
    return histories.sort_values(ids, ascending=False, ignore_index=True)


def outside_histories(spec: RealismSpec) -> pd.DataFrame:
    """The config's aggregate capture histories across outside lists."""
    rows = [dict(zip(spec.lists, h.lists, strict=True)) | {"count": h.count}
            for h in spec.capture_histories if any(h.lists)]
    frame = pd.DataFrame(rows, columns=[*spec.lists, "count"])
    return frame.groupby(list(spec.lists), as_index=False)["count"].sum()


def population_sizes(histories: pd.DataFrame, basis: str,
                     names: Mapping[str, str] | None = None) -> PopulationSizes:
    """Every estimator the lists allow, and why the others do not run (see
    :class:`PopulationSizes` for the method keys)."""
    lists = tuple(c for c in histories.columns if c != "count")
    histories = histories[histories["count"] > 0].reset_index(drop=True)
    observed = int(histories["count"].sum())
    estimates: dict[str, PopulationEstimate] = {}
    why: dict[str, str] = {}
    for row in pairwise_overlaps(histories).itertuples(index=False):
        key = f"chapman:{row.list_a}:{row.list_b}"
        if row.m < MIN_OVERLAP:
            why[key] = "why_small_overlap"
        else:
            estimates[key] = chapman(int(row.n_a), int(row.n_b), int(row.m))
    frequencies = capture_frequencies(histories)
    f2 = frequencies[1] if len(frequencies) > 1 else 0
    if f2 == 0:
        why["chao"] = why["zelterman"] = "why_no_twice_seen"
    else:
        estimates["chao"] = chao_lower_bound(frequencies, lists=len(lists))
        if len(lists) >= MIN_LISTS_ZELTERMAN:
            estimates["zelterman"] = zelterman(frequencies)
        else:
            why["zelterman"] = "why_few_lists_zelterman"
    if len(lists) < 3:
        why["loglinear"] = "why_two_lists"
    elif f2 == 0:
        why["loglinear"] = "why_no_twice_seen"
    else:
        try:
            estimates["loglinear"] = loglinear_capture_recapture(histories)
        except ValueError:
            why["loglinear"] = "why_model_failed"
    return PopulationSizes(lists, basis, histories, observed, estimates, why,
                           dict(names or {}))


def _publishable(histories: pd.DataFrame, min_cell: int) -> bool:
    counts = histories["count"]
    return bool(((counts == 0) | (counts >= min_cell)).all())


def _released(programme: Programme) -> Programme | None:
    """The programme as a public report counts it (to the release's cutoff), or ``None``
    when its persons may not be counted by partner (no whole month yet, or a partner whose
    counts the release hides); the programme itself for the internal audience."""
    if programme.config.audience != "public" or programme.persons is None:
        return programme
    release = public_release(programme)
    if release.cutoff is None or release.hidden_partners:
        return None
    return as_released(programme, release)


def _population_part(programme: Programme) -> tuple[PopulationSizes | None, str | None]:
    """Capture–recapture on the config's outside lists, else on the partners' records; or
    why not (a ``why_*`` key). A public report shows it only when every combination of lists
    holds no person or at least ``min_cell``: the estimates would give a small cell back."""
    config = programme.config
    spec = config.analysis.realism
    if spec.capture_histories:
        sizes = population_sizes(outside_histories(spec), "outside")
    else:
        released = _released(programme)
        if released is None:
            return None, "why_public_lists"
        if released.persons is None or not len(released.persons):
            return None, "why_no_lists"
        sizes = population_sizes(partner_histories(released), "partners",
                                 {o.id: o.name for o in config.programme.organisations})
    if len(sizes.lists) < 2:
        return None, "why_one_list"
    if config.audience == "public" and not _publishable(sizes.histories,
                                                        config.analysis.min_cell):
        return None, "why_public_lists"
    return sizes, None


# --- sentences ---------------------------------------------------------------------------------


def _range_words(value: Range, *, share: bool, language: Language) -> str:
    """A range as a reader writes it: ``30%–60%`` for a share, ``3,600–5,400`` for a count,
    ``1.0–1.3`` for a multiplier; ``(most likely …)`` when it has a mode."""
    def word(x: float) -> str:
        if share:
            return percent(x, language)
        return number(x, language, 0 if x >= 10 else 2)

    text = f"{word(value.low)}–{word(value.high)}"
    if value.mode is not None:
        text += " " + label("most_likely", language, value=word(value.mode))
    return text


def _mc_error(se: float, language: Language) -> str:
    """A Monte Carlo standard error of a probability, in per cent with one decimal; "below
    0.1%" where that would print 0.0%."""
    if se < 0.0005:
        return label("below", language, value=percent(0.001, language, 1))
    return percent(se, language, 1)


def _source_word(source: str, language: Language) -> str:
    return label("assumption", language) if source == ASSUMPTION else source


def _funnel_sentences(result: TargetRealism, language: Language) -> str:
    funnel = result.funnel
    assert funnel is not None
    q10, q50, q90 = funnel.quantiles([0.1, 0.5, 0.9])
    tornado = funnel.tornado()
    top = tornado.iloc[0]
    lines = [
        label("realism_funnel", language, median=number(about(q50), language),
              low=number(about(q10), language), high=number(about(q90), language),
              target=number(result.target, language),
              p=probability(funnel.p_reach, language)),
        label("realism_funnel_driver", language,
              factor=label(f"funnel_{top['factor']}", language),
              low=number(about(top["low_value"]), language),
              high=number(about(top["high_value"]), language)),
    ]
    for level in result.assurance:
        reachable = funnel.reachable(level)
        lines.append(label("realism_funnel_reachable", language,
                           level=percent(level, language),
                           target=number(about(reachable), language)))
    if result.funnel_when_set is not None:
        earlier = result.funnel_when_set
        lines.append(label("realism_funnel_when_set", language,
                           population=number(earlier.factors["population"].central, language),
                           median=number(about(float(earlier.quantiles([0.5])[0])), language),
                           p=probability(earlier.p_reach, language)))
    lines.append(label("realism_funnel_caveat", language,
                       assumed=number(sum(r.source == ASSUMPTION
                                          for r in funnel.factors.values()), language),
                       n=number(len(funnel.factors), language)))
    spread = max(max(abs(end - funnel.reachable(level))
                     for end in funnel.reachable_interval(level)) for level in result.assurance)
    lines.append(label("realism_mc_error", language, draws=number(funnel.draws, language),
                       se=_mc_error(funnel.p_reach_se, language),
                       targets=number(math.ceil(spread), language)))
    return "\n".join(lines)


def _reference_sentences(result: TargetRealism, language: Language) -> str:
    check = result.reference
    assert check is not None
    table = check.model.to_frame()
    lines = [label("realism_reference_rate", language, name=str(r["name"]),
                   persons=number(int(r["persons"]), language),
                   months=number(r["months"], language),
                   rate=rate(r["rate"], language))
             for _, r in table.iterrows()]
    reach = ", ".join(label("realism_at_level", language, target=number(t, language),
                            level=percent(level, language))
                      for level, (t, _) in check.reachable.items())
    lines.insert(0, label("realism_reference", language, target=number(check.target, language),
                          months=number(check.months, language),
                          p=probability(check.p_reach, language), reachable=reach))
    sens = check.sensitivity
    lines.append(label("realism_reference_spread_one" if len(table) == 1
                       else "realism_reference_spread", language,
                       n=number(len(table), language),
                       low=probability(float(sens["p_reach"].min()), language),
                       high=probability(float(sens["p_reach"].max()), language),
                       scales=", ".join(number(s, language, 2) for s in sens["tau_scale"])))
    lines.append(label("realism_reference_mc", language,
                       se=_mc_error(check.p_reach_se, language),
                       targets=number(math.ceil(max(r.mc_error
                                                    for r in check.reachable.values())),
                                      language)))
    return "\n".join(lines)


def _scenario_sentences(result: TargetRealism, language: Language) -> str:
    scenarios = result.scenarios
    assert scenarios is not None
    frame = scenarios.to_frame().set_index("scenario")
    status = frame.loc["status quo"]
    single = frame.drop(index=[i for i in frame.index if i == "status quo" or " + " in i
                               or i == "all"])
    lines = [label("realism_status_quo", language, target=number(result.target, language),
                   months=number(result.horizon, language),
                   p=probability(status["p_reach"], language),
                   reachable=number(int(status["reachable"]), language),
                   level=percent(scenarios.assurance, language))]
    if len(single):
        # By the target reached at the assurance level first: when every probability of
        # the full target is tiny, their order is Monte Carlo noise.
        best = single.sort_values(["reachable", "p_reach"], ascending=False).index[0]
        lines.append(label("realism_best_single", language,
                           name=result.scenario_label(str(best), language),
                           p=probability(single.loc[best, "p_reach"], language),
                           reachable=number(int(single.loc[best, "reachable"]), language)))
    if "all" in frame.index:
        lines.append(label("realism_all", language,
                           p=probability(frame.loc["all", "p_reach"], language),
                           reachable=number(int(frame.loc["all", "reachable"]), language),
                           level=percent(scenarios.assurance, language)))
    lines.append(label("realism_scenarios_caveat", language))
    spread = np.maximum(frame["reachable"] - frame["reachable_low"],
                        frame["reachable_high"] - frame["reachable"]).max()
    lines.append(label("realism_scenarios_mc", language,
                       draws=number(scenarios.draws, language),
                       se=_mc_error(float(frame["p_reach_se"].max()), language),
                       targets=number(math.ceil(float(spread)), language)))
    return "\n".join(lines)


def _population_sentences(result: TargetRealism, language: Language) -> str:
    sizes = result.population
    assert sizes is not None
    lines = []
    if sizes.estimates:
        # The estimate the findings state: the log-linear model when it ran (it can model
        # dependence between lists), else Chao's lower bound, else the first pair's.
        key = next((k for k in ("loglinear", "chao") if k in sizes.estimates),
                   next(iter(sizes.estimates)))
        headline = sizes.estimates[key]
        lines.append(label("realism_population_headline", language,
                           method=sizes.method_name(key, language),
                           estimate=number(about(headline.estimate), language),
                           low=number(about(headline.ci_low), language),
                           high=number(about(headline.ci_high), language),
                           persons=number(sizes.observed, language)))
    lines += [label("realism_lists", language, n=number(len(sizes.lists), language),
                   persons=number(sizes.observed, language),
                   shared=number(sizes.shared, language),
                   basis=label(f"realism_lists_{sizes.basis}", language))]
    for key, estimate in sizes.estimates.items():
        lines.append(label("realism_estimate", language, method=sizes.method_name(key, language),
                           estimate=number(about(estimate.estimate), language),
                           low=number(about(estimate.ci_low), language),
                           high=number(about(estimate.ci_high), language)))
    for key, why in sizes.why_not.items():
        lines.append(label("realism_estimate_missing", language,
                           method=sizes.method_name(key, language),
                           why=label(why, language, k=MIN_OVERLAP)))
    if result.multiplier is not None:
        m = result.multiplier
        lines.append(label("realism_multiplier", language,
                           estimate=number(about(m.estimate), language),
                           low=number(about(m.ci_low), language),
                           high=number(about(m.ci_high), language)))
    loglinear = sizes.estimates.get("loglinear")
    gof = getattr(loglinear, "gof_p", math.nan)
    if loglinear is not None and not math.isnan(gof):
        # The model is checked against the lists before its estimate is read: a poor fit
        # means no model of the family describes how the lists overlap.
        lines.append(label("realism_loglinear_fit_poor" if gof < 0.05
                           else "realism_loglinear_fit", language, p=p_value(gof, language)))
    lines.append(label(f"realism_lists_caveat_{sizes.basis}", language))
    return "\n".join(lines)


_SENTENCES = {"funnel": _funnel_sentences, "reference": _reference_sentences,
              "scenarios": _scenario_sentences, "population": _population_sentences}


# --- the analysis ------------------------------------------------------------------------------


def assess_realism(programme: Programme, *, draws: int | None = None) -> TargetRealism:
    """Every target-realism analysis the programme's config and data allow (see
    :class:`TargetRealism` and the module notes).

    Parameters
    ----------
    programme
        From :func:`exitanalysis.load_programme`.
    draws
        Monte Carlo draws of the funnel, the reference class and the scenarios (default:
        ``analysis.realism.draws``); the error of every simulated number is reported.
    """
    config = programme.config
    spec = config.analysis.realism
    public = config.audience == "public"
    seed = config.seed
    draws = draws or spec.draws
    target = config.programme.target
    duration = period_months(config)
    horizon = spec.horizon_months or duration
    assurance = tuple(spec.assurance)
    missing: dict[str, str] = {}
    synthetic: set[str] = set()

    factors = funnel_factors(spec)
    funnel = funnel_check(factors, target=target, assurance=assurance[0], draws=draws,
                          seed=seed)
    funnel_when_set = None
    if "population" not in spec.funnel and config.programme.start.year <= 2021:
        # VIVE's 2020 figure was published in 2021: a target set before then had SFI's 2010
        # mapping to go on. Same draws for every other factor (streams are per factor).
        funnel_when_set = funnel_check(factors | {"population": population_when_set()},
                                       target=target, assurance=assurance[0], draws=draws,
                                       seed=seed)
    programmes = ([ReferenceProgramme(r.name, r.persons, r.months, r.source)
                   for r in spec.reference_class] if spec.reference_class is not None
                  else default_reference_class())
    reference = (_reference_check(programmes, tau_scale=spec.tau_scale, target=target,
                                  months=horizon, assurance=assurance, draws=draws, seed=seed)
                 if programmes else None)
    if reference is None:
        missing["reference"] = "why_no_reference_class"

    scenarios = None
    basis = "published snapshot"
    labels = {s.name: {"en": s.label, "da": s.label_da or s.label} for s in spec.scenarios}
    if not spec.scenarios:
        missing["scenarios"] = "why_no_scenarios"
    else:
        base, basis, scenario_synthetic = _scenario_base(
            programme, factors, channels=any(s.channel for s in spec.scenarios))
        if base is None:
            missing["scenarios"] = "why_no_recruit"
        else:
            scenarios = simulate_scenarios(
                base, _scenarios(spec), months=horizon, target=target,
                assurance=assurance[0],
                combinations=[tuple(c) for c in spec.combinations],
                include_all=len(spec.scenarios) > 1, draws=min(draws, 50_000), seed=seed)
            if scenario_synthetic:
                synthetic.add("scenarios")

    population, why = _population_part(programme)
    if why is not None:
        missing["population"] = why
    elif programme.synthetic and not spec.capture_histories:
        synthetic.add("population")
    multiplier = None
    if spec.multiplier is not None:
        m = spec.multiplier
        multiplier = multiplier_estimate(m.benchmark, m.proportion, sample_size=m.sample_size)
    return TargetRealism(funnel, funnel_when_set, reference, scenarios, population, multiplier,
                         target, duration, horizon, assurance, basis, labels, missing,
                         frozenset(synthetic), public, config.language)


__all__ = ["PARTS", "PopulationSizes", "ReferenceCheck", "TargetRealism", "area_population",
           "assess_realism", "default_funnel", "default_reference_class", "funnel_factors",
           "outside_histories", "partner_histories", "population_sizes"]
