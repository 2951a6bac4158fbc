"""Notebooks: committed without outputs, thin, and runnable top to bottom with their defaults
(what an evaluator gets when opening one in JupyterLab)."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from exitanalysis.lab import KERNEL_DISPLAY_NAME, KERNEL_NAME
from exitanalysis.report.rendering import INVARIANTS_TAG

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PARAMETERS = {"config_path", "language", "audience", "seed", "figures_dir", "tables_dir"}


def test_there_are_notebooks() -> None:
    assert "data_overview" in [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_thin_parameters_then_library_calls(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assigned = {t.id for node in ast.parse(code[0].source).body
                if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}
    assert assigned == PARAMETERS
    for cell in code[1:]:
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Lambda), \
                f"{path.stem}: model code belongs in src/exitanalysis/"
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""]
                assert all(n.split(".")[0] == "exitanalysis" for n in names), names
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_prose_comes_in_both_languages(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    prose = [c for c in nb.cells if c.cell_type == "markdown"]
    # One language tag each; "case-data" marks a section the renderer frames (issue 10).
    tags = [tuple(t for t in c.metadata.get("tags", []) if t != "case-data") for c in prose]
    assert all(t in (("lang-en",), ("lang-da",)) for t in tags), tags
    assert tags.count(("lang-en",)) == tags.count(("lang-da",))
    # each English cell is followed by its Danish version, headings at the same level
    for en, da in zip(prose[::2], prose[1::2], strict=True):
        assert en.metadata["tags"][0] == "lang-en" and da.metadata["tags"][0] == "lang-da"
        assert en.metadata["tags"][1:] == da.metadata["tags"][1:]
        assert en.source.split(" ")[0] == da.source.split(" ")[0] or not en.source.startswith("#")


# Running them is nbval's part (`pytest --nbval-lax`, in `make test` through pyproject's
# addopts and testpaths) and the JupyterLab test's (tests/test_jupyterlab.py).


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_projects_kernel_and_its_invariants(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == KERNEL_NAME
    assert nb.metadata["kernelspec"]["display_name"] == KERNEL_DISPLAY_NAME
    checks = [c for c in nb.cells if INVARIANTS_TAG in c.metadata.get("tags", [])]
    assert checks, "each notebook asserts its analysis's invariants (hidden in reports)"
    for cell in checks:
        assert cell.cell_type == "code"
        asserts = [n for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Assert)]
        assert len(asserts) >= 2, cell.source


def test_nbval_runs_the_notebooks_in_make_test() -> None:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["pytest"]["ini_options"]
    assert "notebooks" in options["testpaths"]
    assert "--nbval-lax" in options["addopts"]


def test_a_broken_invariant_fails_nbval(tmp_path: Path) -> None:
    """nbval really asserts a tagged cell: a false invariant fails the notebook's test."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("total = 2 + 2"),
                                         nbformat.v4.new_code_cell("assert total == 5")])
    nb.cells[1].metadata["tags"] = [INVARIANTS_TAG]
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": KERNEL_DISPLAY_NAME,
                                 "language": "python"}
    nbformat.write(nb, tmp_path / "broken.ipynb")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "--nbval-lax", str(tmp_path / "broken.ipynb")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout
    assert "AssertionError" in run.stdout
