"""``exitanalysis run`` end to end on the bundled data, and its failure guarantees."""

from __future__ import annotations

import hashlib
import json
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT
from exitanalysis.report.pipeline import report_lock
from helpers import write_notebook, write_programme
from test_bad_input import CASES

MANIFEST_KEYS = {
    "run_name", "created_utc", "exitanalysis_version", "git_commit", "audience", "language",
    "synthetic_inputs", "config", "inputs", "versions", "notebooks", "headline",
}


@pytest.fixture
def report(default_report: Path) -> Path:
    return default_report


def test_report_layout(report: Path) -> None:
    stems = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert (report / "index.html").is_file() and (report / "manifest.json").is_file()
    for stem in stems:  # every notebook, discovered, not listed
        assert (report / f"{stem}.html").is_file()
        assert (report / "notebooks" / f"{stem}.ipynb").is_file()
    pngs = {p.stem for p in (report / "figures").glob("*.png")}
    svgs = {p.stem for p in (report / "figures").glob("*.svg")}
    assert pngs and pngs == svgs
    assert {p.name for p in (report / "tables").glob("*.csv")} >= {"data_sources.csv",
                                                                    "validation_summary.csv"}
    leftovers = list((report.parent / ".exitanalysis" / "staging").iterdir())
    assert leftovers == []


def test_manifest_has_the_contract_keys(report: Path) -> None:
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) >= MANIFEST_KEYS
    assert manifest["run_name"] == "exitpakke"
    assert manifest["synthetic_inputs"] is True
    assert (manifest["audience"], manifest["language"]) == ("internal", "en")
    assert manifest["config"]["data"]["persons"] == "data/synthetic/persons.csv"
    assert manifest["config"]["programme"]["target"] == 465
    headline = manifest["headline"]
    assert set(headline) >= {"forecast", "first_warning", "warning_threshold"}
    assert headline["warning_threshold"] == 0.10
    assert headline["forecast"]["recruited"] == 64 and headline["forecast"]["target"] == 465
    assert headline["forecast"]["p_reach_target"] < 1e-30
    assert headline["first_warning"] == "2022-01" and headline["status"] == "off track"
    for entry in manifest["inputs"]:
        data = (ROOT / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["rows"] == data.count(b"\n") - 1
    assert {"python", "pandas", "statsmodels", "exitanalysis"} <= set(manifest["versions"])
    assert [n["status"] for n in manifest["notebooks"]] == ["ok"] * len(manifest["notebooks"])
    assert manifest["created_utc"].endswith("Z")


class _Resources(HTMLParser):
    """Collects every URL a page would load or link to."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []
        self.scripts_with_src = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.scripts_with_src += 1
        if tag in ("img", "script", "iframe", "source") and values.get("src"):
            self.loads.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            self.loads.append(values["href"] or "")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")


@pytest.mark.parametrize("page", ["index.html", "data_overview.html"])
def test_pages_are_self_contained_and_say_synthetic(report: Path, page: str) -> None:
    text = (report / page).read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(text)
    assert parser.scripts_with_src == 0
    assert all(url.startswith("data:") for url in parser.loads), parser.loads
    assert "@import" not in text and "url(http" not in text
    for link in parser.links:
        if not link.startswith(("#", "http")):
            assert (report / link.split("#")[0]).is_file(), link
    assert "SYNTHETIC" in text


def test_report_has_no_code_and_every_figure_is_marked(report: Path) -> None:
    text = (report / "data_overview.html").read_text(encoding="utf-8")
    assert "xa.load_config" not in text and 'class="jp-CodeMirrorEditor' not in text
    assert "exitanalysis:complete" not in text  # the completion marker stays hidden
    # Built only from the memo's published figure and the public figures in data/public (real,
    # not synthetic): unmarked. Every other figure of the default run uses the synthetic tables
    # and must carry the mark.
    from_published_figure = {"recruitment_fan", "recruitment_requirement", "early_warning_replay",
                             "realism_funnel", "realism_funnel_factors",
                             "realism_reference_class", "realism_scenarios"}
    for svg in (report / "figures").glob("*.svg"):
        marked = "SYNTHETIC DATA" in svg.read_text(encoding="utf-8")
        assert marked == (svg.stem not in from_published_figure), svg.name


def test_index_links_every_report_with_a_thumbnail(report: Path) -> None:
    text = (report / "index.html").read_text(encoding="utf-8")
    assert ("Off track: the probability of reaching 465 by 31 December 2023 is below 1% "
            "(64 contacted by about January 2022)") in text
    assert "would already have warned in January 2022" in text
    assert "was closed in 2023 (the month is not published)" in text
    for stem in (p.stem for p in (ROOT / "notebooks").glob("*.ipynb")):
        assert f'href="{stem}.html"' in text
    assert text.count('<img src="data:image/png;base64,') >= 1


# --- failure guarantees, with small notebooks --------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def small_run(tmp_path: Path, cli):
    """A test programme whose first run published a report; returns a runner for more."""
    config = write_programme(tmp_path / "programme")
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "good", "print('fine')")
    out = tmp_path / "reports"

    def run(*extra: str):
        return cli("run", config, "--out", out, "--notebooks", notebooks, "--jobs", "1", *extra)

    first = run()
    assert first.code == 0, first.err
    published = out / "programme"
    return run, notebooks, published, _snapshot(published)


@pytest.mark.parametrize(
    "source, reason",
    [
        ("raise RuntimeError('KBH-Ø01 is broken')", "RuntimeError in cell"),
        ("import sys\nsys.exit(0)", "stopped before its last cell without an error"),
        ("import time\ntime.sleep(30)", "a cell ran over the time limit"),
    ],
    ids=["exception", "sys.exit(0)", "timeout"],
)
def test_a_failed_notebook_publishes_nothing(small_run, source: str, reason: str) -> None:
    run, notebooks, published, before = small_run
    write_notebook(notebooks, "bad", source)
    outcome = run("--timeout", "3")
    assert outcome.code == 1
    assert reason in outcome.err
    assert "KBH-Ø01" not in outcome.err  # exception messages can hold data: never printed
    assert _snapshot(published) == before
    kept = Path(outcome.err.split("kept, privately, in ")[1].strip())
    assert (kept / "bad.ipynb").is_file()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o700
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize("case", [c for c in CASES if c.name in
                                  ("CPR-shaped identifier", "bad YAML key", "missing column")],
                         ids=lambda c: c.name)
def test_run_with_bad_input_publishes_nothing(tmp_path: Path, cli, case) -> None:
    config = write_programme(tmp_path, case.frames(), case.config)
    published = tmp_path / "reports" / "programme"
    published.mkdir(parents=True)
    (published / "index.html").write_text("the previous good report", encoding="utf-8")
    outcome = cli("run", config, "--out", tmp_path / "reports")
    assert outcome.code == 2
    assert [p.name for p in published.iterdir()] == ["index.html"]
    assert (published / "index.html").read_text(encoding="utf-8") == "the previous good report"


def test_a_second_run_waits_for_nobody_it_exits_3(small_run) -> None:
    run, _, published, before = small_run
    with report_lock(published.parent / ".exitanalysis", "programme"):
        outcome = run()
    assert outcome.code == 3
    assert "another run of the report 'programme' is under way" in outcome.err
    assert _snapshot(published) == before
    assert run().code == 0  # the lock is free again


def test_a_relative_output_folder_gets_the_figures(tmp_path: Path, cli,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Notebooks run in their own folder: output folders handed to them must be absolute.
    config = write_programme(tmp_path / "programme")
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "figure",
                   "import pathlib\npathlib.Path(figures_dir, 'x.png').write_bytes(b'png')")
    monkeypatch.chdir(tmp_path)
    outcome = cli("run", config, "--out", "reports", "--notebooks", notebooks)
    assert outcome.code == 0, outcome.err
    assert (tmp_path / "reports" / "programme" / "figures" / "x.png").is_file()
    assert sorted(p.name for p in notebooks.iterdir()) == ["figure.ipynb"]


def test_a_new_run_replaces_the_whole_report(small_run) -> None:
    run, notebooks, published, before = small_run
    (notebooks / "good.ipynb").rename(notebooks / "renamed.ipynb")
    assert run().code == 0
    after = _snapshot(published)
    assert "renamed.html" in after and "good.html" not in after
