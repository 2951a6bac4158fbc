"""Programme configuration (CONTRACT §2): read a YAML file into a validated, frozen model.

Every problem is reported at once, each naming the key (``programme.target``) and what was
expected, so a user can fix the file in one pass.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..errors import ConfigError
from ..models.priors import PriorWeight, parse_prior_weight
from ..text import Language
from .identifiers import direct_identifier

Audience = Literal["internal", "public"]

#: Parties a referral may come from or go to besides the configured organisations.
EXTERNAL_PARTIES = ("municipality", "jobcenter", "health", "police", "other")

#: The tables of CONTRACT §3, in the order they are read.
TABLE_NAMES = ("persons", "activities", "outcomes", "referrals", "monthly")


def _plausible_date(value: dt.date) -> dt.date:
    if not 1900 <= value.year <= 2100:
        raise ValueError("expected a year between 1900 and 2100")
    return value


#: A date a programme can have (9999-12-31 and 0001-01-01 are typing mistakes).
PlausibleDate = Annotated[dt.date, AfterValidator(_plausible_date)]


def _no_identifier(text: str) -> str:
    if direct_identifier(text) is not None:
        raise ValueError("must not hold a CPR number, an e-mail address or a phone number "
                         "(reports publish this text)")
    return text


#: Free text that reports publish (names, sources, reasons): checked like the data.
PublicText = Annotated[str, Field(min_length=1), AfterValidator(_no_identifier)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organisation(_Strict):
    """A partner organisation; ``id`` is the value used in every data file."""

    id: str = Field(min_length=1, pattern=r"^\S+$")
    name: PublicText
    planned_share: float | None = Field(default=None, gt=0.0, le=1.0)


class DateRange(_Strict):
    """A date known only within a range (the year of a closure, a start that depended on a
    grant decision), with the source that says so."""

    earliest: PlausibleDate
    latest: PlausibleDate
    source: PublicText

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.earliest > self.latest:
            raise ValueError("earliest must not be after latest")
        return self


#: When a programme was closed early: a range when only the year is known.
Closure = DateRange


class PlanPoint(_Strict):
    """A point of the planned accrual curve: ``count`` persons planned by ``date``."""

    date: PlausibleDate
    count: int = Field(ge=0)


class ProgrammeSpec(_Strict):
    """What was promised: the recruitment period, the target and the partners."""

    name: PublicText
    start: PlausibleDate
    end: PlausibleDate
    target: int = Field(ge=1, le=1_000_000)
    organisations: list[Organisation] = Field(min_length=1)
    closed: DateRange | None = None
    started: DateRange | None = None
    plan: list[PlanPoint] = Field(default_factory=list)
    ramp_up_months: float | None = Field(default=None, gt=0)

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        # A field validator, so that a bad target and a bad period are reported together.
        start = info.data.get("start")
        if start is not None and start > end:
            raise ValueError("must not be before start")
        if start is not None and (end - start).days < 27:
            raise ValueError("the period must be at least four weeks long")
        return end

    @model_validator(mode="after")
    def _period_and_ids(self) -> ProgrammeSpec:
        if self.closed is not None and not self.start <= self.closed.earliest:
            raise ValueError("closed.earliest must not be before start")
        if self.started is not None and not (
                self.start <= self.started.earliest and self.started.latest < self.end):
            raise ValueError("started must lie within the period (from start, before end)")
        self._check_plan()
        ids = [o.id for o in self.organisations]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"organisation ids must be unique; repeated: {', '.join(duplicated)}")
        shares = [o.planned_share for o in self.organisations]
        if any(x is not None for x in shares) and (
                None in shares or abs(sum(x or 0.0 for x in shares) - 1.0) > 0.01):
            raise ValueError("give every organisation a planned_share, and let them add up to 1")
        clashing = sorted(set(ids) & set(EXTERNAL_PARTIES))
        if clashing:
            raise ValueError(
                "organisation ids must differ from the external referral parties "
                f"({', '.join(EXTERNAL_PARTIES)}); clashing: {', '.join(clashing)}"
            )
        return self

    def _check_plan(self) -> None:
        if self.plan and self.ramp_up_months is not None:
            raise ValueError("give 'plan' or 'ramp_up_months', not both")
        dates = [p.date for p in self.plan]
        counts = [p.count for p in self.plan]
        if any(not self.start < d <= self.end for d in dates):
            raise ValueError("plan dates must lie after start and not after end")
        if any(b <= a for a, b in zip(dates, dates[1:], strict=False)):
            raise ValueError("plan dates must increase")
        if any(b < a for a, b in zip(counts, counts[1:], strict=False)):
            raise ValueError("planned counts must not decrease (they are cumulative)")
        if any(c > self.target for c in counts):
            raise ValueError("a planned count must not exceed the target")
        period = (self.end - self.start).days / 30.4375
        if self.ramp_up_months is not None and self.ramp_up_months >= period:
            raise ValueError("ramp_up_months must be shorter than the period")

    @property
    def organisation_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.organisations)


class Snapshot(_Strict):
    """A published figure: how many had been contacted (and/or included) by ``as_of``."""

    as_of: PlausibleDate
    contacted: int | None = Field(default=None, ge=0)
    included: int | None = Field(default=None, ge=0)
    source: PublicText
    #: The source gives no exact date ("more than halfway"): reports say "about <month>".
    approximate: bool = False

    @model_validator(mode="after")
    def _has_a_count(self) -> Snapshot:
        if self.contacted is None and self.included is None:
            raise ValueError("a snapshot needs 'contacted', 'included' or both")
        if (
            self.contacted is not None
            and self.included is not None
            and self.included > self.contacted
        ):
            raise ValueError("'included' must not exceed 'contacted'")
        return self


class DataPaths(_Strict):
    """Input tables; paths are relative to the config file and resolved on loading."""

    persons: Path | None = None
    activities: Path | None = None
    outcomes: Path | None = None
    referrals: Path | None = None
    monthly: Path | None = None

    @field_validator("*", mode="after")
    @classmethod
    def _resolve_and_exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None:
            return None
        base = Path((info.context or {}).get("base_dir", "."))
        path = value if value.is_absolute() else base / value
        path = Path(os.path.abspath(path))
        if not path.is_file():
            raise ValueError(f"file not found: {value}")
        return path

    @model_validator(mode="after")
    def _coherent(self) -> DataPaths:
        if self.persons is not None and self.monthly is not None:
            raise ValueError("'persons' and 'monthly' are alternatives; give one of them")
        needs_persons = [n for n in ("activities", "outcomes") if getattr(self, n) is not None]
        if needs_persons and self.persons is None:
            raise ValueError(f"{' and '.join(needs_persons)} refer to persons; give 'persons' too")
        return self

    def given(self) -> dict[str, Path]:
        """The tables that are configured, in reading order."""
        return {n: p for n in TABLE_NAMES if (p := getattr(self, n)) is not None}


class ExposurePeriod(_Strict):
    """Days when recruitment could not run normally (a lockdown, a late start).

    ``weight`` is the share of normal recruitment time those days count for: 0 for closed,
    1 for normal. A month's exposure is the mean over its days.
    """

    start: PlausibleDate
    end: PlausibleDate
    weight: float = Field(ge=0.0, le=1.0)
    reason: PublicText

    @model_validator(mode="after")
    def _ordered(self) -> ExposurePeriod:
        if self.start > self.end:
            raise ValueError("start must not be after end")
        return self


class ShareRange(_Strict):
    """A share of the population as a range, with where it comes from: a published figure
    or, when none is published, the evaluator's assumption (say so in ``source``)."""

    low: float = Field(ge=0.0, le=1.0)
    high: float = Field(ge=0.0, le=1.0)
    source: PublicText

    @model_validator(mode="after")
    def _ordered(self) -> ShareRange:
        if self.low > self.high:
            raise ValueError("'low' must not exceed 'high'")
        return self


class NetworkPeriod(_Strict):
    """When the partners' coordination network (a bridge-builder network) was active: from
    ``start`` to ``end`` (to the end of the period when left out), with where the dates come
    from (a source, or the evaluator's assumption: say so)."""

    start: PlausibleDate
    end: PlausibleDate | None = None
    #: The dates are the evaluator's assumption (the source names what they rest on).
    assumed: bool = False
    source: PublicText

    @model_validator(mode="after")
    def _ordered(self) -> NetworkPeriod:
        if self.end is not None and self.start > self.end:
            raise ValueError("start must not be after end")
        return self


class FactorRange(_Strict):
    """An uncertain number as a range (uniform, or triangular with ``mode``), with where it
    comes from: a published figure, or the evaluator's assumption (say so in ``source``)."""

    low: float = Field(ge=0.0)
    high: float = Field(ge=0.0)
    mode: float | None = Field(default=None, ge=0.0)
    source: PublicText

    @model_validator(mode="after")
    def _ordered(self) -> FactorRange:
        if self.low > self.high:
            raise ValueError("'low' must not exceed 'high'")
        if self.mode is not None and not self.low <= self.mode <= self.high:
            raise ValueError("'mode' must lie between 'low' and 'high'")
        return self


#: The funnel from the population to the persons a programme can include, in order.
FUNNEL_FACTORS = ("population", "share_in_area", "turnover", "wish_to_leave", "eligible",
                  "reached", "uptake")
FunnelFactor = Literal["population", "share_in_area", "turnover", "wish_to_leave", "eligible",
                       "reached", "uptake"]
#: Funnel factors that are shares of the step before them (at most 1).
SHARE_FACTORS = ("share_in_area", "wish_to_leave", "eligible", "reached", "uptake")


class ReferenceProgrammeSpec(_Strict):
    """A comparable programme: ``persons`` recruited in ``months``, with its source."""

    name: PublicText
    persons: int = Field(ge=1)
    months: float = Field(gt=0.0)
    source: PublicText


class ScenarioSpec(_Strict):
    """An initiative as a stated change to the status quo: multipliers of the contact rate
    (of one ``channel``, or of all), of conversion and of retention, and the share of the
    area's population who would newly come forward (``new_seekers_share``), each a range with
    its source ("assumption" when no study gives it)."""

    name: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    label: PublicText
    label_da: PublicText | None = None
    channel: Literal["street_outreach", "venue_outreach", "online_outreach", "drop_in",
                     "municipal_referral", "partner_referral", "health_service",
                     "self_referral", "other"] | None = None
    contact_rate: FactorRange | None = None
    conversion: FactorRange | None = None
    retention: FactorRange | None = None
    new_seekers_share: FactorRange | None = None
    source: PublicText

    @model_validator(mode="after")
    def _has_an_effect(self) -> ScenarioSpec:
        effects = (self.contact_rate, self.conversion, self.retention, self.new_seekers_share)
        if all(e is None for e in effects):
            raise ValueError("a scenario needs at least one of contact_rate, conversion, "
                             "retention or new_seekers_share")
        if self.channel is not None and self.contact_rate is None:
            raise ValueError("'channel' needs a 'contact_rate' to change")
        if self.new_seekers_share is not None and self.new_seekers_share.high > 1:
            raise ValueError("new_seekers_share is a share: at most 1")
        return self


class CaptureHistory(_Strict):
    """Persons with one capture history across outside lists (aggregate: no identifiers):
    ``lists`` one 0/1 per list, in the order of ``RealismSpec.lists``."""

    lists: list[Literal[0, 1]] = Field(min_length=2)
    count: int = Field(ge=0)


class MultiplierSpec(_Strict):
    """The multiplier method: ``benchmark`` persons known to a service, and the
    ``proportion`` of the population who say in a survey (of ``sample_size``) that they used
    it; each with its source."""

    benchmark: int = Field(ge=1)
    benchmark_source: PublicText
    proportion: float = Field(gt=0.0, le=1.0)
    sample_size: int = Field(ge=2)
    source: PublicText


class RealismSpec(_Strict):
    """Was the target realistic, and what would work (the ``target_realism`` report).

    Every key has a default: the funnel's population and wish to leave come from the public
    figures in ``data/public/``, the other factors are stated assumptions; the reference
    class is Exit Prostitution (DK 2012–2016); no scenario is assumed.
    """

    funnel: dict[FunnelFactor, FactorRange] = Field(default_factory=dict)
    reference_class: list[ReferenceProgrammeSpec] | None = None
    #: Scale of the half-normal prior of the spread between programmes' log rates.
    tau_scale: float = Field(default=0.5, gt=0.0, le=5.0)
    #: The period of a new programme (months); default: this programme's period.
    horizon_months: float | None = Field(default=None, gt=0.0, le=600.0)
    assurance: list[float] = Field(default_factory=lambda: [0.8, 0.9], min_length=1)
    scenarios: list[ScenarioSpec] = Field(default_factory=list)
    combinations: list[list[str]] = Field(default_factory=list)
    #: Names of outside lists for ``capture_histories``.
    lists: list[PublicText] = Field(default_factory=list)
    capture_histories: list[CaptureHistory] = Field(default_factory=list)
    multiplier: MultiplierSpec | None = None
    draws: int = Field(default=100_000, ge=1_000, le=10_000_000)

    @field_validator("assurance")
    @classmethod
    def _assurance(cls, values: list[float]) -> list[float]:
        if any(not 0.0 < v < 1.0 for v in values):
            raise ValueError("each assurance level must lie strictly between 0 and 1")
        return values

    @model_validator(mode="after")
    def _coherent(self) -> RealismSpec:
        for name, factor in self.funnel.items():
            if name in SHARE_FACTORS and factor.high > 1:
                raise ValueError(f"funnel.{name} is a share: 'high' must be at most 1")
        names = [s.name for s in self.scenarios]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"scenario names must be unique; repeated: {', '.join(repeated)}")
        for combination in self.combinations:
            unknown = sorted(set(combination) - set(names))
            if unknown:
                raise ValueError(f"combinations name unknown scenarios: {', '.join(unknown)}")
            if len(combination) < 2:
                raise ValueError("a combination needs at least two scenarios")
        if self.capture_histories:
            if len(self.lists) < 2:
                raise ValueError("capture_histories need 'lists': the names of at least two "
                                 "lists")
            if any(len(h.lists) != len(self.lists) for h in self.capture_histories):
                raise ValueError("every capture history needs one 0/1 per list in 'lists'")
        return self


class AnalysisSpec(_Strict):
    """Settings of the analysis; ``as_of`` defaults to the last date in the data."""

    as_of: PlausibleDate | None = None
    prior_weight: PriorWeight = 0.5
    warning_threshold: float = Field(default=0.10, gt=0.0, lt=1.0)
    warning_false_alarm: float = Field(default=0.10, gt=0.0, le=0.5)
    min_cell: int = Field(default=5, ge=1)
    recruitment_measure: Literal["included", "contacted"] = "included"
    exposure: list[ExposurePeriod] = Field(default_factory=list)
    #: Where the population sells (street, venue, online, other): the share of the people
    #: selling sex in the programme's area in each, as a range with its source. Reach by
    #: channel is compared with it; without it, the report says that none is given.
    population_shares: dict[Literal["street", "venue", "online", "other"], ShareRange] = Field(
        default_factory=dict)
    #: When the partners' network was active: referrals before and during it are compared.
    network: NetworkPeriod | None = None
    #: The target_realism report: funnel, reference class, scenarios, population size.
    realism: RealismSpec = Field(default_factory=RealismSpec)

    @field_validator("prior_weight", mode="before")
    @classmethod
    def _prior_weight(cls, value: Any) -> PriorWeight:
        return parse_prior_weight(value)


class Config(_Strict):
    """A validated programme config (CONTRACT §2). Load it with :func:`load_config`."""

    programme: ProgrammeSpec
    observed: list[Snapshot] = Field(default_factory=list)
    data: DataPaths = Field(default_factory=DataPaths)
    analysis: AnalysisSpec = Field(default_factory=AnalysisSpec)
    language: Language = "en"
    audience: Audience = "internal"
    seed: int = 20200101

    _path: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _dates_in_period(self) -> Config:
        start, end = self.programme.start, self.programme.end
        for i, snap in enumerate(self.observed):
            if not start <= snap.as_of <= end:
                raise ValueError(
                    f"observed[{i}].as_of must lie within the programme period {start} to {end}"
                )
        if self.analysis.as_of is not None and self.analysis.as_of < start:
            raise ValueError(f"analysis.as_of must not be before programme.start ({start})")
        if not self.observed and not self.data.given():
            raise ValueError("nothing to analyse: give 'observed' snapshots, 'data' tables or both")
        return self

    @property
    def path(self) -> Path:
        """The config file this was read from."""
        if self._path is None:
            raise AttributeError("this config was not read from a file")
        return self._path

    @property
    def run_name(self) -> str:
        """Name of the report folder: the config file's stem."""
        return self.path.stem

    def with_overrides(self, **changes: Any) -> Config:
        """A copy with top-level keys replaced (``language``, ``audience``), validated again."""
        data = self.model_dump()
        data.update({k: v for k, v in changes.items() if v is not None})
        new = Config.model_validate(data, context={"base_dir": self.path.parent})
        new._path = self._path
        return new

    def to_manifest(self, relative_to: Path | None = None) -> dict[str, Any]:
        """The resolved config as JSON-ready data, with paths relative to ``relative_to``."""
        base = Path(relative_to or Path.cwd())
        data = self.model_dump(mode="json")
        for name, path in self.data.given().items():
            data["data"][name] = display_path(path, base, self.path.parent)
        return data


def display_path(path: Path, cwd: Path | None = None, config_dir: Path | None = None) -> str:
    """How a report names an input file: relative to the project, the working directory or
    the config's folder, whichever contains it first.

    A file outside all three is named by its file name only, so a report never shows a
    private folder layout (user names, shares).
    """
    from .paths import project_root

    resolved = path.resolve()
    bases = [project_root(), cwd or Path.cwd()] + ([config_dir] if config_dir else [])
    shown = path.name
    for base in bases:
        if resolved.is_relative_to(base.resolve()):
            shown = resolved.relative_to(base.resolve()).as_posix()
            break
    # A line break or escape sequence in a file name must not forge a line of a log.
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in shown)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that rejects a key given twice in one mapping."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key '{key}' is given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_unique_mapping,
)


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate a programme config.

    Parameters
    ----------
    path
        A YAML file as described in CONTRACT §2. Data paths in it are relative to its folder.

    Returns
    -------
    Config
        Frozen and validated; ``config.data`` holds absolute paths of existing files.

    Raises
    ------
    ConfigError
        Listing every problem, each naming the key and what was expected.

    Examples
    --------
    >>> import exitanalysis as xa
    >>> config = xa.load_config("configs/exitpakke.yaml")  # doctest: +SKIP
    >>> config.programme.target  # doctest: +SKIP
    465
    """
    path = Path(path)
    shown = str(path)
    if not path.is_file():
        raise ConfigError(shown, [f"config file not found: {shown}"])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(shown, ["the config file must be UTF-8 text"]) from None
    if len(text) > 1_000_000:
        raise ConfigError(shown, ["the config file is larger than 1 MB: not a programme config"])
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)
    except RecursionError:
        raise ConfigError(shown, ["the YAML is nested too deeply to be a programme config"]
                          ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(shown, [f"not valid YAML{where}: {problem}"]) from None
    if not isinstance(raw, dict):
        raise ConfigError(shown, ["expected a mapping with keys programme, observed, data, ..."])
    try:
        config = Config.model_validate(raw, context={"base_dir": path.parent})
    except ValidationError as exc:
        raise ConfigError(shown, [_describe(err) for err in exc.errors()]) from None
    config._path = path
    return config


_EXPECTED = {
    "date_from_datetime_parsing": "expected a date written YYYY-MM-DD",
    "date_parsing": "expected a date written YYYY-MM-DD",
    "date_type": "expected a date written YYYY-MM-DD",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "string_type": "expected text (YAML reads yes/no/on/off as true/false and 0101 as a "
                   "number: put such a value in quotes)",
    "list_type": "expected a list",
    "model_type": "expected a mapping of keys",
    "dict_type": "expected a mapping of keys",
    "missing": "required key is missing",
    "path_type": "expected a file path",
}


def _describe(err: Any) -> str:
    """One line per pydantic error: the dotted key and what was expected."""
    key = _dotted(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"key '{key}': unknown key (check the spelling against CONTRACT §2)"
    if kind == "literal_error":
        allowed = err.get("ctx", {}).get("expected", "")
        return f"key '{key}': expected one of {allowed}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        ctx = err.get("ctx", {})
        bound = {
            "greater_than_equal": f"≥ {ctx.get('ge')}",
            "less_than_equal": f"≤ {ctx.get('le')}",
            "greater_than": f"> {ctx.get('gt')}",
            "less_than": f"< {ctx.get('lt')}",
        }[kind]
        return f"key '{key}': expected a number {bound}"
    if kind == "string_pattern_mismatch":
        return f"key '{key}': expected text without spaces"
    if kind in ("too_short", "string_too_short"):
        return f"key '{key}': must not be empty"
    if kind == "value_error":
        message = str(err["msg"]).removeprefix("Value error, ")
        return f"key '{key}': {message}" if key != "(top level)" else message
    return f"key '{key}': {_EXPECTED.get(kind, err['msg'])}"


def _is_union_branch(part: Any) -> bool:
    return isinstance(part, str) and ("[" in part or part in ("float", "constrained-float"))


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _is_union_branch(part) or part.startswith("function-"):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"
