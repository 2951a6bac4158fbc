"""A funder's portfolio in one run: every programme's report and an index sorted by risk.

``exitanalysis run A.yaml B.yaml …`` (or a folder of configs) builds each programme's report
exactly as a single run would (:func:`exitanalysis.report.pipeline.run`: its own lock,
staging folder and atomic publication), several programmes at once, and then writes
``DIR/index.html`` and ``DIR/portfolio.json``: each programme's status, sorted so that the
programmes most in need of attention come first.

Where the programmes run is any :class:`concurrent.futures.Executor`: the local process pool
by default, or a Dask cluster's (``distributed.Client(address).get_executor()``, the
``--dask ADDRESS`` option) for more programmes than one machine holds. No scheduling is done
here beyond handing each config to the executor.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ExitanalysisError, UsageError, describe_failure
from ..text import Language, label, month, probability

Log = Callable[[str], None]

#: Config files a folder argument contributes.
CONFIG_SUFFIXES = (".yaml", ".yml")

#: Exit codes in the order a portfolio reports them: a notebook or internal failure (1) needs
#: a developer, bad input (2) the data owner, a held lock (3) usually nobody.
_URGENCY = (1, 2, 3)

#: Statuses in order of risk (the index's sort order).
_RISK = {"failed": 0, "off track": 1, "at risk": 2, None: 3, "on track": 4}


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class ProgrammeRun:
    """How one programme of a portfolio went.

    Attributes
    ----------
    run_name
        The report's folder name (the config file's stem).
    title
        The programme's name from its published report (``None`` without one).
    config
        The config file as given.
    exit_code
        What ``exitanalysis run`` on this config alone would have returned (0: published);
        ``None`` when the index was written without running (``exitanalysis index``).
    seconds
        Wall-clock time of the programme's run (``None`` without a run).
    problem
        For a failure, what kind it was (never a data value; the log has the full message).
    status
        ``on track``, ``at risk``, ``off track`` or ``None`` (no forecast), read from the
        published report's manifest: this run's, or after a failure the last good one.
    p_reach
        P(reach target) of that report's headline forecast.
    first_warning
        The month the monitoring rule first warned, if it did.
    synthetic
        Whether that headline rests on synthetic data.
    audience
        The report's audience (``internal`` or ``public``).
    report_created_utc
        When the report shown was built (``None``: no report has ever been published).
    """

    run_name: str
    title: str | None
    config: str
    exit_code: int | None
    seconds: float | None
    problem: str | None
    status: str | None
    p_reach: float | None
    first_warning: str | None
    synthetic: bool
    audience: str | None
    report_created_utc: str | None

    @property
    def published(self) -> bool:
        return self.exit_code == 0

    @property
    def risk(self) -> tuple[int, float, str]:
        """Sort key: failed with no report first, then off track, at risk, no forecast, on
        track; within each, the lower P(reach target) first."""
        rank = _RISK["failed"] if self.report_created_utc is None else _RISK.get(
            self.status, _RISK[None])
        return (rank, self.p_reach if self.p_reach is not None else 2.0, self.run_name)


@dataclass(frozen=True)
class PortfolioResult:
    """Every programme's run, sorted by risk, and where the index is."""

    programmes: tuple[ProgrammeRun, ...]
    index: Path

    @property
    def exit_code(self) -> int:
        """0 when every report was published; otherwise the most urgent programme's code
        (1 before 2 before 3)."""
        codes = {p.exit_code for p in self.programmes if p.exit_code is not None}
        return next((code for code in _URGENCY if code in codes), max(codes, default=0))

    def to_frame(self) -> pd.DataFrame:
        """One row per programme, most at risk first."""
        return pd.DataFrame([asdict(p) for p in self.programmes])

    def summary(self) -> str:
        published = sum(p.published for p in self.programmes)
        lines = [f"Portfolio: {published} of {len(self.programmes)} report(s) published; "
                 f"index {self.index}"]
        for p in self.programmes:
            state = ("not run" if p.exit_code is None else "published" if p.published
                     else f"failed (exit {p.exit_code}: {p.problem})")
            chance = f", P(reach target) {p.p_reach:.1%}" if p.p_reach is not None else ""
            lines.append(f"  {p.run_name}: {p.status or 'no forecast'}{chance}; {state}")
        return "\n".join(lines)


# --- which configs --------------------------------------------------------------------------


def expand_configs(arguments: Sequence[str | Path]) -> list[Path]:
    """The config files named by ``arguments``: files as given, folders by their ``*.yaml``
    and ``*.yml`` files in name order. A file named twice counts once.

    Raises
    ------
    UsageError
        A path that does not exist, a folder with no config, or two configs that would
        write the same report folder (the same file name in two folders).
    """
    found: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            configs = sorted(p for p in path.iterdir() if p.is_file()
                             and p.suffix.lower() in CONFIG_SUFFIXES
                             and not p.name.startswith("."))
            if not configs:
                raise UsageError(f"CONFIG: the folder {argument} holds no config "
                                 f"({', '.join('*' + s for s in CONFIG_SUFFIXES)})")
            found.extend(configs)
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"CONFIG: {argument} is neither a config file nor a folder")
    first: dict[Path, Path] = {}
    for path in found:
        first.setdefault(path.resolve(), path)
    unique = list(first.values())
    by_name: dict[str, Path] = {}
    for path in unique:
        if path.stem in by_name:
            raise UsageError(f"CONFIG: {by_name[path.stem]} and {path} would both write the "
                             f"report folder '{path.stem}': rename one of them")
        by_name[path.stem] = path
    return unique


# --- running ---------------------------------------------------------------------------------


def build_programme(config: str, options: dict[str, Any]) -> dict[str, Any]:
    """Build one programme's report in this process; never raises.

    The unit of work handed to an executor (a process pool's or a Dask worker's), so it takes
    and returns only plain values. ``options`` are :func:`~exitanalysis.report.pipeline.run`'s
    keyword arguments.
    """
    from .pipeline import run

    # Several programmes share one terminal: plain log lines, each naming its programme.
    os.environ["EXITANALYSIS_NO_PROGRESS"] = "1"
    name = Path(config).stem
    started = time.perf_counter()
    code, problem = 0, None
    try:
        run(config, log=lambda line: _stderr(f"[{name}] {line}"), **options)
    except Exception as exc:  # one programme's failure is listed, not raised
        code, line = describe_failure(exc)
        problem = _problem(code) if isinstance(exc, ExitanalysisError | OSError) \
            else f"internal error ({type(exc).__name__})"
        _stderr(f"[{name}] {line}")
    return {"config": str(config), "exit_code": code, "problem": problem,
            "seconds": round(time.perf_counter() - started, 1)}


def _problem(code: int) -> str:
    return {1: "a notebook failed", 2: "invalid config or input",
            3: "another run of this report was under way"}.get(code, f"exit {code}")


def run_portfolio(
    configs: Sequence[str | Path],
    *,
    out_dir: str | Path = "reports",
    executor: Executor | None = None,
    programmes: int | None = None,
    jobs: int = 1,
    only: Sequence[str] | None = None,
    language: str | None = None,
    audience: str | None = None,
    notebooks_dir: str | Path | None = None,
    cell_timeout: float = 600.0,
    log: Log = _stderr,
) -> PortfolioResult:
    """Build every programme's report, then the portfolio index.

    Parameters
    ----------
    configs
        Config files, or folders of them (:func:`expand_configs`).
    out_dir
        Each report goes to ``out_dir/<config stem>/``; the index to ``out_dir/index.html``
        and ``out_dir/portfolio.json``. With a distributed executor, ``out_dir``, the configs
        and their data must be on storage every worker sees, at the same paths.
    executor
        Where the programmes run (e.g. ``distributed.Client(address).get_executor()``).
        Default: a local process pool of ``programmes`` workers.
    programmes
        Programmes built at once by the local pool (default: the cores divided by ``jobs``).
    jobs
        Notebooks executed at once within each programme.
    only, language, audience, notebooks_dir, cell_timeout
        As for a single run, applied to every programme.
    log
        Where progress lines go.

    Returns
    -------
    PortfolioResult
        Its ``exit_code`` is what the command returns. A failed programme does not stop the
        others, and its last good report stays published and listed.
    """
    paths = expand_configs(configs)
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1 (got {jobs})")
    if programmes is not None and programmes < 1:
        raise UsageError(f"--programmes must be at least 1 (got {programmes})")
    out = Path(out_dir).resolve()
    options = {"out_dir": str(out), "jobs": jobs, "only": list(only) if only else None,
               "language": language, "audience": audience,
               "notebooks_dir": str(notebooks_dir) if notebooks_dir else None,
               "cell_timeout": cell_timeout}
    workers = programmes or max(1, (os.cpu_count() or 1) // jobs)
    log(f"portfolio: {len(paths)} programme(s), {workers if executor is None else 'Dask'} "
        f"at once, {jobs} notebook job(s) each")
    outcomes: list[dict[str, Any]] = []
    with _executor(executor, min(workers, len(paths))) as pool:
        futures: dict[Future[dict[str, Any]], Path] = {
            pool.submit(build_programme, str(path), options): path for path in paths}
        for done, future in enumerate(as_completed(futures), start=1):
            outcome = future.result()
            outcomes.append(outcome)
            name = futures[future].stem
            state = ("published" if outcome["exit_code"] == 0
                     else f"failed, exit {outcome['exit_code']} ({outcome['problem']})")
            log(f"portfolio [{done}/{len(paths)}] {name}: {state} ({outcome['seconds']:.1f} s)")
    runs = sorted((_read_outcome(o, out) for o in outcomes), key=lambda r: r.risk)
    index = write_index(runs, out, _index_language(paths, language))
    log(f"portfolio index {index}")
    return PortfolioResult(tuple(runs), index)


def index_portfolio(configs: Sequence[str | Path], *, out_dir: str | Path = "reports",
                    language: str | None = None) -> PortfolioResult:
    """Write the portfolio index from the reports already published, running nothing: for a
    scheduler (Airflow, say) that runs each programme as its own task."""
    paths = expand_configs(configs)
    out = Path(out_dir).resolve()
    runs = sorted((_read_outcome({"config": str(p), "exit_code": None, "problem": None,
                                  "seconds": None}, out) for p in paths),
                  key=lambda r: r.risk)
    return PortfolioResult(tuple(runs), write_index(runs, out, _index_language(paths,
                                                                              language)))


@contextmanager
def _executor(given: Executor | None, workers: int) -> Iterator[Executor]:
    if given is not None:
        yield given
        return
    # spawn, not fork: a forked child would inherit this process's threads' locks.
    pool = ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)


def _read_outcome(outcome: dict[str, Any], out: Path) -> ProgrammeRun:
    """The run's outcome with the headline of the programme's published report (this run's,
    or after a failure the last good one)."""
    name = Path(outcome["config"]).stem
    manifest: dict[str, Any] = {}
    try:
        manifest = json.loads((out / name / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass  # never published, or unreadable: listed without a status
    headline = manifest.get("headline") or {}
    forecast = headline.get("forecast") or {}
    return ProgrammeRun(
        run_name=name,
        title=(manifest.get("config") or {}).get("programme", {}).get("name"),
        config=outcome["config"],
        exit_code=outcome["exit_code"],
        seconds=outcome["seconds"],
        problem=outcome["problem"],
        status=headline.get("status"),
        p_reach=forecast.get("p_reach_target"),
        first_warning=headline.get("first_warning"),
        synthetic=bool(headline.get("synthetic", manifest.get("synthetic_inputs", False))),
        audience=manifest.get("audience"),
        report_created_utc=manifest.get("created_utc"),
    )


def _index_language(paths: Sequence[Path], override: str | None) -> Language:
    """The override, or the configs' shared language; English when they differ."""
    from ..data.config import load_config

    if override in ("da", "en"):
        return "da" if override == "da" else "en"
    languages = set()
    for path in paths:
        try:
            languages.add(load_config(path).language)
        except (ExitanalysisError, OSError):
            continue  # a broken config is listed as failed; it does not choose the language
    return "da" if languages == {"da"} else "en"


# --- the index -------------------------------------------------------------------------------


def write_index(runs: Sequence[ProgrammeRun], out: Path, language: Language = "en") -> Path:
    """Write ``out/index.html`` and ``out/portfolio.json``, each replaced in one step.

    Readable by everyone only when every report listed is public; otherwise by the owner
    only, like an internal report.
    """
    out.mkdir(parents=True, exist_ok=True)
    public = bool(runs) and all(r.audience == "public" for r in runs)
    created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # The config by its file name only: where it lies (a user's folders) is not published.
    document = {"created_utc": created, "language": language,
                "programmes": [{**asdict(r), "config": Path(r.config).name,
                                "report": f"{r.run_name}/index.html"
                                if r.report_created_utc else None} for r in runs]}
    _replace(out / "portfolio.json",
             json.dumps(document, indent=2, ensure_ascii=False) + "\n", public)
    index = out / "index.html"
    _replace(index, render_portfolio(runs, language, created), public)
    return index


def _replace(path: Path, text: str, public: bool) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    temporary.write_text(text, encoding="utf-8")
    os.chmod(temporary, 0o644 if public else 0o600)
    os.replace(temporary, path)


def render_portfolio(runs: Sequence[ProgrammeRun], language: Language, created_utc: str) -> str:
    """The portfolio index: a table of programmes, most at risk first."""
    import jinja2

    from .rendering import TEMPLATES

    def row(r: ProgrammeRun) -> dict[str, Any]:
        status_key = {"on track": "status_on_track", "at risk": "status_at_risk",
                      "off track": "status_off_track"}.get(r.status or "")
        return {
            "name": r.run_name,
            "title": r.title,
            "href": f"{r.run_name}/index.html" if r.report_created_utc else None,
            "status": label(status_key, language) if status_key
            else label("portfolio_no_forecast", language),
            "status_class": (r.status or "none").replace(" ", "-"),
            "p_reach": probability(r.p_reach, language) if r.p_reach is not None else "–",
            "first_warning": _month_or_dash(r.first_warning, language),
            "synthetic": r.synthetic,
            "run": _run_words(r, language),
            "failed": r.exit_code not in (0, None),
            "report_date": (r.report_created_utc or "")[:10] or "–",
        }

    words = {key: label(key, language) for key in (
        "portfolio_title", "portfolio_intro", "portfolio_programme", "portfolio_status",
        "portfolio_p_reach", "portfolio_first_warning", "portfolio_this_run",
        "portfolio_report_date", "portfolio_synthetic_note", "synthetic")}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / "portfolio"),
                             autoescape=True, keep_trailing_newline=True)
    rows = [row(r) for r in runs]
    return env.get_template("index.html.j2").render(
        lang=language, words=words, rows=rows, created=created_utc,
        any_synthetic=any(r.synthetic for r in runs),
        counts=label("portfolio_counts", language, published=sum(r.published for r in runs),
                     total=len(runs)),
    )


def _run_words(r: ProgrammeRun, language: Language) -> str:
    if r.exit_code is None:
        return "–"
    if r.published:
        return label("portfolio_published", language)
    problem = (label(f"portfolio_problem_{r.exit_code}", language) if r.exit_code in _URGENCY
               else str(r.exit_code))
    return label("portfolio_failed", language, problem=problem)


def _month_or_dash(value: str | None, language: Language) -> str:
    try:
        return month(str(value)[:7], language) if value else "–"
    except ValueError:  # not a month: shown as written
        return str(value)


__all__ = ["PortfolioResult", "ProgrammeRun", "build_programme", "expand_configs",
           "index_portfolio", "render_portfolio", "run_portfolio", "write_index"]
