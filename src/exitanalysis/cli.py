"""The ``exitanalysis`` command (CONTRACT §1).

Exit codes: 0 success; 1 a notebook failed; 2 invalid config, input or arguments; 3 another run
of the same report holds its lock. A user's mistake gets a message, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import ExitanalysisError

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
  exitanalysis synth --out data/synthetic --seed 20200101
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``exitanalysis`` console script."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
        if args.command == "synth":
            return _synth(args)
    except ExitanalysisError as exc:
        print(f"exitanalysis: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("exitanalysis: interrupted; nothing was published", file=sys.stderr)
        return 130
    raise AssertionError(f"unhandled command {args.command}")  # argparse prevents this


def _validate(args: argparse.Namespace) -> int:
    from .config import load_config
    from .data import load_programme

    config = load_config(args.config)
    programme = load_programme(config)
    spec = config.programme
    print(f"config {args.config}: {spec.name}, {spec.start} to {spec.end}, target {spec.target}")
    for source in programme.sources:
        mark = f", {source.synthetic_rows} synthetic" if source.synthetic else ""
        print(f"  {source.name:<11} {source.path}  {source.rows} rows ({source.file_format}{mark})")
    for snap in config.observed:
        print(f"  snapshot    {snap.as_of}: contacted {snap.contacted}, included {snap.included}")
    where = "analysis.as_of" if config.analysis.as_of else "the last date in the data"
    print(f"as_of {programme.as_of} ({where})")
    print(f"OK: {len(programme.sources)} table(s), no problems")
    return 0


def _synth(args: argparse.Namespace) -> int:
    from .synth import generate, write

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


if __name__ == "__main__":
    sys.exit(main())
