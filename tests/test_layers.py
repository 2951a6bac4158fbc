"""The package's shape: arrows point down only, nothing imports in a circle, and importing
the package is light (STYLE.md, "Four layers"; docs/architecture.md).

The layer rules are checked on the ``ast`` of every module, so they stay true as modules
are added; a checker that has never been seen to fail proves nothing, so it is also run on
made-up modules that break each rule.
"""

from __future__ import annotations

import ast
import graphlib
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import exitanalysis as xa

PACKAGE = Path(xa.__file__).resolve().parent

#: The layers from the bottom up; a module may import the layers before its own (and other
#: modules of its own layer, without a circle). ``errors`` and ``text`` are leaves that
#: every layer above ``models`` may use.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "text"),
    ("models",),
    ("data",),
    ("assess",),
    ("figures",),
    ("report",),
    ("__init__",),  # the API: names resolved lazily from __init__.pyi
    ("cli", "lab"),  # the command line, and `make lab`
    ("__main__",),
)
#: What a layer may import besides the layers below it: ``models`` is narrower than the
#: order says (statistics only: nothing of the project but the exceptions).
ONLY = {"models": {"errors", "models"}}
#: Libraries ``import exitanalysis`` must not load, and ``import exitanalysis.models`` must
#: not load (kernel start-up pays for every import in every notebook).
HEAVY = ("matplotlib", "pandera", "statsmodels", "papermill", "nbconvert")
NOT_IN_MODELS = ("matplotlib", "papermill", "nbconvert")


def _rank(unit: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if unit in layer)


@dataclass(frozen=True)
class Import:
    """One import of a project module found in the source of another."""

    source: str  # dotted module name, e.g. exitanalysis.models.history
    target: str
    line: int
    deferred: bool  # inside a function: runs when called, not when the module is imported
    type_only: bool  # under ``if TYPE_CHECKING:``
    function: str | None  # the enclosing function's name, if any


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def unit_of(module: str) -> str:
    """The layer folder (or leaf module) a dotted module name belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def project_imports(source: str, module: str, is_package: bool = False,
                    known: set[str] | None = None) -> list[Import]:
    """Every import of an ``exitanalysis`` module in ``source`` (the text of ``module``)."""
    found: list[Import] = []

    def resolve(node: ast.ImportFrom) -> list[str]:
        if node.level:
            base = module.split(".")
            base = base if is_package else base[:-1]
            base = base[: len(base) - (node.level - 1)]
            stem = ".".join([*base, *([node.module] if node.module else [])])
        else:
            stem = node.module or ""
        # ``from . import paths`` imports the module ``paths`` when there is one.
        names = [f"{stem}.{a.name}" for a in node.names]
        modules = [n for n in names if known is not None and n in known]
        return modules or [stem]

    def visit(node: ast.AST, deferred: bool, type_only: bool, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                targets = (resolve(child) if isinstance(child, ast.ImportFrom)
                           else [a.name for a in child.names])
                found.extend(Import(module, t, child.lineno, deferred, type_only, function)
                             for t in targets if t.split(".")[0] == "exitanalysis")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, True, type_only, child.name)
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for part in child.body:
                    visit(ast.Module(body=[part], type_ignores=[]), deferred, True, function)
                for part in child.orelse:
                    visit(ast.Module(body=[part], type_ignores=[]), deferred, type_only,
                          function)
            else:
                visit(child, deferred, type_only, function)

    visit(ast.parse(source), False, False, None)
    return found


def broken_rules(imports: list[Import]) -> list[str]:
    """What breaks the layer rules: upward imports and circles of module-level imports."""
    problems = []
    for imp in imports:
        here, there = unit_of(imp.source), unit_of(imp.target)
        if here == there:
            continue
        allowed = ONLY.get(here)
        upward = (there not in allowed) if allowed else _rank(there) >= _rank(here)
        # A result's .plot() draws with its figure function, imported inside the method.
        plotting = there == "figures" and (imp.function or "").startswith("plot")
        if upward and not (imp.deferred and plotting):
            kind = "type-only " if imp.type_only else ("deferred " if imp.deferred else "")
            problems.append(f"{imp.source} line {imp.line}: {kind}import of {imp.target} "
                            f"points up ({here} may not import {there})")
    graph = graphlib.TopologicalSorter()
    for imp in imports:
        if not imp.deferred and not imp.type_only:
            graph.add(imp.source, imp.target)
    try:
        graph.prepare()
    except graphlib.CycleError as cycle:
        problems.append("circular imports: " + " -> ".join(cycle.args[1]))
    return problems


def package_imports() -> list[Import]:
    files = sorted(PACKAGE.rglob("*.py"))
    known = {module_name(f) for f in files}
    return [imp for f in files
            for imp in project_imports(f.read_text(encoding="utf-8"), module_name(f),
                                       f.name == "__init__.py", known)]


# --- the package as it is -------------------------------------------------------------------


def test_every_module_sits_in_a_layer() -> None:
    units = {unit_of(module_name(f)) for f in PACKAGE.rglob("*.py")}
    assert units <= {u for layer in LAYERS for u in layer}, units


def test_arrows_point_down_and_nothing_is_circular() -> None:
    imports = package_imports()
    assert len(imports) > 40  # the walker sees the package's imports at all
    problems = broken_rules(imports)
    assert not problems, "\n".join(problems)


# --- the checker fails when a rule is broken --------------------------------------------------


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("exitanalysis.models.history", "from ..figures.style import GREY\n",
     "models may not import figures"),
    ("exitanalysis.models.history", "from ..data.config import Config\n",
     "models may not import data"),
    ("exitanalysis.models.history", "from ..text import label\n",
     "models may not import text"),
    ("exitanalysis.assess.overview", "from ..report import pipeline\n",
     "assess may not import report"),
    ("exitanalysis.data.config", "def f():\n    from ..assess.shortfall import x\n",
     "deferred import of exitanalysis.assess.shortfall"),
    ("exitanalysis.models.history",
     "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..assess import shortfall\n",
     "type-only import of exitanalysis.assess"),
    ("exitanalysis.models.partners",
     "class R:\n    def summary(self):\n        from ..figures.shortfall import f\n",
     "models may not import figures"),
])
def test_the_checker_catches_an_upward_import(module: str, source: str, expected: str) -> None:
    problems = broken_rules(project_imports(source, module))
    assert len(problems) == 1 and expected in problems[0], problems


def test_the_checker_allows_what_the_rules_allow() -> None:
    allowed = {
        "exitanalysis.models.partners":
            "from ..errors import InputError\nfrom .recruitment import RecruitmentForecast\n"
            "class R:\n    def plot(self):\n        from ..figures.shortfall import f\n",
        "exitanalysis.assess.shortfall":
            "from ..models.history import date_at\nfrom ..data.config import Config\n"
            "from ..text import label\n",
        "exitanalysis.report.rendering":
            "from ..data import paths\ndef headline():\n    from ..assess import shortfall\n",
    }
    for module, source in allowed.items():
        assert broken_rules(project_imports(source, module)) == [], module


def test_the_checker_catches_a_circle() -> None:
    imports = [*project_imports("from .b import x\n", "exitanalysis.models.a"),
               *project_imports("from .a import y\n", "exitanalysis.models.b")]
    problems = broken_rules(imports)
    assert len(problems) == 1 and problems[0].startswith("circular imports: ")
    # A deferred import breaks the circle at run time, as a .plot() method does.
    deferred = [*project_imports("from .b import x\n", "exitanalysis.models.a"),
                *project_imports("def f():\n    from .a import y\n", "exitanalysis.models.b")]
    assert broken_rules(deferred) == []


# --- a light import ---------------------------------------------------------------------------


def _loaded_after(code: str) -> set[str]:
    """Top-level packages in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=120)
    return {name.split(".")[0] for name in json.loads(out.stdout.splitlines()[-1])}


def test_importing_the_package_loads_no_heavy_library() -> None:
    loaded = _loaded_after("import exitanalysis")
    assert "exitanalysis" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_the_models_load_no_plotting_and_no_pipeline() -> None:
    # Every module of models/, and the public names that live there.
    code = ("import importlib, pkgutil, exitanalysis.models as m\n"
            "for info in pkgutil.iter_modules(m.__path__, 'exitanalysis.models.'):\n"
            "    importlib.import_module(info.name)\n"
            "import exitanalysis as xa\n"
            "xa.forecast_recruitment(target=10, duration=10, elapsed=5, recruited=3)\n"
            "xa.fit_partners, xa.EarlyWarning, xa.RecruitmentForecast")
    loaded = _loaded_after(code)
    assert {"scipy", "numpy"} <= loaded  # the models did load
    assert loaded.isdisjoint(NOT_IN_MODELS), sorted(loaded & set(NOT_IN_MODELS))


#: ``xa.*`` as it was before the names became lazy (CONTRACT §6 and the notebooks' calls).
PUBLIC_NAMES = {
    "BaseRate", "ChannelEffects", "ChannelRates", "ComponentAssociations", "Config",
    "ConfigError", "Conversion", "DataOverview", "EarlyWarning", "ExitanalysisError", "Funnel",
    "FunnelCheck", "InputError", "InputSource", "InterruptedSeries", "InterruptedTimeSeries",
    "KeyFindings", "LockHeldError", "LogLinearEstimate", "NetworkAssessment",
    "NetworkRateRatio", "NotPublishableError", "NotebookFailedError", "OutcomeAssessment",
    "OutcomeRates", "PartnerRates", "PopulationEstimate", "Problem", "Programme", "PublicData",
    "PublicRelease", "Range", "RateDecomposition", "Reach", "RecruitmentForecast",
    "ReferenceClass", "ReferenceProgramme", "ReferralInclusions", "ReferralMatrix", "Scenario",
    "ScenarioResults", "ShortfallAssessment", "SurvivalCurves", "TargetRealism", "UsageError",
    "__version__",
    "assess_channels", "assess_network", "assess_outcomes", "assess_realism",
    "assess_shortfall", "channel_rate_ratios", "chao_lower_bound", "chapman",
    "component_associations", "conversion_by", "counterfactual_reach", "data_overview",
    "decompose_rate", "disclosure_note", "e_value", "fit_partners", "forecast_overdispersed",
    "forecast_recruitment", "funnel_check", "headline_frame", "interrupted_series",
    "interrupted_time_series", "kaplan_meier", "load_config", "load_programme", "load_public",
    "loglinear_capture_recapture", "multiplier_estimate", "network_rate_ratio",
    "outcome_funnel", "outcome_rates", "public_release", "reach_by", "reference_class",
    "referral_inclusions", "referral_matrix", "referrals_by_month", "save_figure", "save_table",
    "show_figure", "show_table", "simulate_scenarios", "time_to_first_outcome", "zelterman",
}


def test_every_public_name_is_listed_and_resolves() -> None:
    assert set(xa.__all__) == PUBLIC_NAMES
    assert set(dir(xa)) >= PUBLIC_NAMES
    for name in sorted(PUBLIC_NAMES):
        assert getattr(xa, name) is not None, name
    assert xa.load_config is __import__("exitanalysis.data.config").data.config.load_config
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = xa.no_such_name  # type: ignore[attr-defined]
