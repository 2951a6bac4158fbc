"""The ``exitanalysis`` command (CONTRACT §1).

Exit codes: 0 success; 1 a notebook failed (or an internal error); 2 invalid config, input or
arguments; 3 another run of the same report holds its lock. A user's mistake gets a message,
never a traceback; neither does an internal error unless EXITANALYSIS_DEBUG is set, since a
traceback can quote data.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import ExitanalysisError, UsageError, describe_failure
from .errors import printable as _printable

_DESCRIPTION = """\
Early, quantified and repeatable evaluation of exit programmes: how far recruitment is off
track and since when, why, what happened to those who came, and whether the target was
realistic. Reports are written to DIR/<config name>/ (index.html, one HTML page per notebook,
figures/, tables/, manifest.json).
"""

_EPILOG = """\
exit codes:
  0  success
  1  a notebook failed during execution (the partial notebook is kept privately; path printed)
  2  invalid config, input or arguments (every problem listed: file, column, rule, rows)
  3  another run of the same report holds its lock

examples:
  exitanalysis validate configs/exitpakke.yaml
  exitanalysis run configs/exitpakke.yaml --language da
  exitanalysis synth --out data/synthetic --seed 20200101
  exitanalysis shortfall --target 465 --recruited 64 --duration 48 --elapsed 24
"""


_PORTFOLIO_EPILOG = """
portfolio:
  exitanalysis run configs/                       every *.yaml in the folder
  exitanalysis run a.yaml b.yaml --programmes 2   two programmes at once, one notebook each
  exitanalysis run configs/ --dask tcp://scheduler:8786
  The exit code is 0 when every report was published; otherwise the most urgent failure's
  (1, then 2, then 3). Each programme's log lines start with [its name].
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exitanalysis",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"exitanalysis {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    run = commands.add_parser(
        "run",
        help="validate, execute every notebook and publish the report(s)",
        description="Validate the config and every input, execute each notebook, render HTML "
        "without code and publish the whole report folder at once to DIR/<run-name>/. "
        "With several configs (or a folder of them), a portfolio: every programme's report, "
        "several at once, then DIR/index.html and DIR/portfolio.json listing each "
        "programme's status, most at risk first. A failed programme does not stop the others.",
        epilog=_EPILOG + _PORTFOLIO_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("config", metavar="CONFIG", nargs="+",
                     help="programme config (YAML), or several, or a folder of them")
    run.add_argument("--out", metavar="DIR", default="reports",
                     help="parent folder of the report(s) (default: %(default)s)")
    run.add_argument("--jobs", metavar="N", type=int, default=None,
                     help="notebooks executed at once per programme (default: the number of "
                     "cores for one programme, 1 in a portfolio)")
    run.add_argument("--programmes", metavar="N", type=int, default=None,
                     help="portfolio: programmes built at once on this machine (default: the "
                     "cores divided by --jobs)")
    run.add_argument("--dask", metavar="ADDRESS", default=None,
                     help="portfolio: build the programmes on the Dask cluster whose scheduler "
                     "is at ADDRESS (e.g. tcp://10.0.0.5:8786); configs, data and --out must be "
                     "at the same paths on every worker")
    run.add_argument("--only", metavar="NAME", nargs="+",
                     help="run only these notebooks (by stem, e.g. data_overview)")
    run.add_argument("--language", choices=("da", "en"), help="override the config's language")
    run.add_argument("--audience", choices=("internal", "public"),
                     help="override the config's audience")
    run.add_argument("--timeout", metavar="SECONDS", type=float, default=600.0,
                     help="time limit for a single notebook cell (default: %(default)s)")
    run.add_argument("--notebooks", metavar="DIR", default=None,
                     help="folder of notebooks (default: the project's notebooks/)")

    index = commands.add_parser(
        "index",
        help="write the portfolio index from reports already published",
        description="Write DIR/index.html and DIR/portfolio.json for these configs from the "
        "reports already published in DIR, running nothing: for a scheduler that runs each "
        "programme as its own task (see examples/airflow/).",
    )
    index.add_argument("config", metavar="CONFIG", nargs="+",
                       help="programme configs (YAML), or folders of them")
    index.add_argument("--out", metavar="DIR", default="reports",
                       help="parent folder of the reports (default: %(default)s)")
    index.add_argument("--language", choices=("da", "en"),
                       help="the index's language (default: the configs' own, if shared)")

    validate = commands.add_parser(
        "validate",
        help="validate the config and its input tables only",
        description="Read the config and every table it names, check them against the data "
        "contract, and list every problem (file, column, rule, rows). Publishes nothing.",
    )
    validate.add_argument("config", metavar="CONFIG", help="programme config (YAML)")

    synth = commands.add_parser(
        "synth",
        help="write the synthetic programme (all tables and its truth)",
        description="Write the synthetic case-level dataset (persons, activities, outcomes, "
        "referrals, monthly), truth.json with the true parameters, and a README. Every row is "
        "marked synthetic. Same seed, same bytes.",
    )
    synth.add_argument("--out", metavar="DIR", default="data/synthetic",
                       help="output folder (default: %(default)s)")
    synth.add_argument("--seed", metavar="N", type=int, default=20200101,
                       help="random seed (default: %(default)s)")
    shortfall = commands.add_parser(
        "shortfall",
        help="forecast recruitment from aggregate numbers (Gamma-Poisson model)",
        description="Forecast recruitment to the end of the period from four numbers, with the "
        "Gamma-Poisson accrual model of CONTRACT §5: the probability of reaching the target, "
        "the final count and the time the target is reached, with uncertainty. Any consistent "
        "time unit works (days, months).",
        epilog="example:\n  exitanalysis shortfall --target 465 --recruited 64 --duration 48 "
        "--elapsed 24 --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    shortfall.add_argument("--target", metavar="N", type=int, required=True,
                           help="persons to recruit by the end")
    shortfall.add_argument("--recruited", metavar="M", type=int, required=True,
                           help="persons recruited so far")
    shortfall.add_argument("--duration", metavar="T", type=float, required=True,
                           help="planned length of the period")
    shortfall.add_argument("--elapsed", metavar="t", type=float, required=True,
                           help="time elapsed so far (same unit as --duration)")
    shortfall.add_argument("--prior-weight", metavar="P", default="0.5",
                           help="a number in [0, 1], 'accelerated' or 'hedging' "
                           "(default: %(default)s)")
    shortfall.add_argument("--at", metavar="TIME", type=float, default=None,
                           help="also forecast the count at this time")
    shortfall.add_argument("--json", action="store_true",
                           help="print the keys of manifest.json's headline.forecast")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``exitanalysis`` console script."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
        if args.command == "synth":
            return _synth(args)
        if args.command == "run":
            return _run(args)
        if args.command == "shortfall":
            return _shortfall(args)
        if args.command == "index":
            return _index(args)
    except KeyboardInterrupt:
        print("exitanalysis: interrupted; nothing was published", file=sys.stderr)
        return 130
    except Exception as exc:
        if not isinstance(exc, ExitanalysisError | OSError) and \
                os.environ.get("EXITANALYSIS_DEBUG"):
            raise  # a bug, and the user asked for its traceback
        code, line = describe_failure(exc)
        print(f"exitanalysis: {line}", file=sys.stderr)
        return code
    raise AssertionError(f"unhandled command {args.command}")  # argparse prevents this


def _validate(args: argparse.Namespace) -> int:
    from .assess.release import require_publishable
    from .data.config import load_config
    from .data.programme import load_programme

    config = load_config(args.config)
    programme = load_programme(config)
    spec = config.programme
    print(_printable(f"config {args.config}: {spec.name}, {spec.start} to {spec.end}, "
                     f"target {spec.target}"))
    for source in programme.sources:
        mark = f", {source.synthetic_rows} synthetic" if source.synthetic else ""
        print(_printable(f"  {source.name:<11} {source.path}  {source.rows} rows "
                         f"({source.file_format}{mark})"))
    for snap in config.observed:
        print(f"  snapshot    {snap.as_of}: contacted {snap.contacted}, included {snap.included}")
    if config.analysis.as_of or programme.as_of is None:
        print(f"as_of {programme.as_of} (analysis.as_of)")
    else:
        # The last date in the data is one person's date: a log gets its month only.
        print(f"as_of {programme.as_of:%Y-%m} (the month of the last date in the data)")
    # A public config that could publish nothing fails `run`: `validate` agrees with it.
    require_publishable(programme)
    print(f"OK: {len(programme.sources)} table(s), no problems")
    return 0


def _synth(args: argparse.Namespace) -> int:
    from .data.synth import generate, write

    if args.seed < 0:
        raise UsageError("synth: --seed: expected a whole number ≥ 0")

    programme = generate(seed=args.seed)
    for path in write(programme, Path(args.out)):
        print(path)
    realised = programme.realised()
    print(
        f"SYNTHETIC programme (seed {args.seed}): {realised['persons_contacted']} persons, "
        f"{realised['contacted_before_midpoint']} first contacted before "
        f"{programme.truth.midpoint}, {realised['included']} included"
    )
    return 0


def _shortfall(args: argparse.Namespace) -> int:
    import json

    from .errors import ArgumentError
    from .models.recruitment import forecast_recruitment
    from .report.outputs import json_safe

    try:
        forecast = forecast_recruitment(target=args.target, duration=args.duration,
                                        elapsed=args.elapsed, recruited=args.recruited,
                                        prior_weight=args.prior_weight)
        result = forecast.to_dict(at=args.at)
    except ArgumentError as exc:  # named as the option the user typed
        raise UsageError(f"shortfall: --{exc.argument.replace('_', '-')}: {exc.expected}"
                         ) from None
    if args.json:
        print(json.dumps(json_safe(result), indent=2, allow_nan=False))
        return 0
    print(forecast.summary())
    if args.at is not None:
        at = result["count_at"]
        print(f"Count at time {args.at:g}: median {at['q50']} (95% interval {at['q025']} to "
              f"{at['q975']}).")
    return 0


def _run(args: argparse.Namespace) -> int:
    from .report.pipeline import run

    if len(args.config) > 1 or Path(args.config[0]).is_dir() or args.dask:
        return _run_portfolio(args)
    if args.programmes is not None:
        raise UsageError("--programmes: only for several configs (a portfolio)")
    result = run(
        args.config[0],
        out_dir=args.out,
        jobs=args.jobs,
        only=args.only,
        language=args.language,
        audience=args.audience,
        notebooks_dir=args.notebooks,
        cell_timeout=args.timeout,
    )
    print(_printable(str(result.report_dir / "index.html")))
    return 0


def _index(args: argparse.Namespace) -> int:
    from .report.portfolio import index_portfolio

    result = index_portfolio(args.config, out_dir=args.out, language=args.language)
    print(_printable(str(result.index)))
    return 0


def _run_portfolio(args: argparse.Namespace) -> int:
    from .report.portfolio import run_portfolio

    options = dict(out_dir=args.out, programmes=args.programmes, jobs=args.jobs or 1,
                   only=args.only, language=args.language, audience=args.audience,
                   notebooks_dir=args.notebooks, cell_timeout=args.timeout)
    if args.dask:
        if args.programmes is not None:
            raise UsageError("--programmes: the Dask cluster decides how many run at once")
        try:
            from distributed import Client
        except ImportError:
            raise UsageError("--dask needs Dask's distributed scheduler: pip install "
                             "'exitanalysis[distributed]'") from None
        try:
            client = Client(args.dask, timeout="30s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"--dask: cannot reach a Dask scheduler at {args.dask} "
                             f"({type(exc).__name__})") from None
        with client:
            result = run_portfolio(args.config, executor=client.get_executor(), **options)
    else:
        result = run_portfolio(args.config, **options)
    print(_printable(str(result.index)))
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
