"""Turn executed notebooks and a run's results into pages a committee can read.

* :func:`render_report`: a notebook as self-contained HTML without code: the reader's language
  only, a table of contents, a visible run block (inputs with hashes, parameters, package
  versions, commit), the synthetic banner where it applies. No script, font or style is fetched.
* :func:`render_index`: the landing page with the early-warning status and a card per report.
* :func:`build_manifest`: ``manifest.json`` (CONTRACT §4).

Identical inputs give byte-identical pages: the only date a page shows is the run's date (from
``SOURCE_DATE_EPOCH`` when set, as in reproducible builds); the manifest keeps the exact time.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import platform
import re
import subprocess
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..assess.release import public_release
from ..data import paths
from ..data.config import Config
from ..data.programme import Programme
from ..text import Language, label, number, percent, probability
from ..text import date as date_text
from ..text import month as month_text

#: Packages whose versions a report records.
RECORDED_PACKAGES = (
    "exitanalysis", "numpy", "scipy", "pandas", "statsmodels", "matplotlib", "seaborn",
    "pandera", "pydantic", "papermill", "nbconvert", "ipykernel",
)
#: Cells never shown in a report.
#: The tag of the hidden last cell whose output proves a notebook ran to its end.
COMPLETE_TAG = "exitanalysis-complete"
#: Cells that assert the analysis's invariants: nbval and every run check them, and a
#: failed one fails the notebook; readers never see them.
INVARIANTS_TAG = "invariants"
HIDDEN_TAGS = ("remove-cell", "parameters", "injected-parameters", COMPLETE_TAG, INVARIANTS_TAG)
LANGUAGE_TAG = "lang-{}"
#: The page templates: ``exitanalysis`` (a report) and ``landing`` (the index).
TEMPLATES = Path(__file__).resolve().parent / "templates"


def run_date() -> dt.date:
    """The date a report shows: ``SOURCE_DATE_EPOCH`` if set, else today (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def _language(manifest: dict[str, Any]) -> Language:
    return "da" if manifest.get("language") == "da" else "en"


# --- one report -----------------------------------------------------------------------------


def render_report(nb: Any, manifest: dict[str, Any], name: str) -> str:
    """A notebook as a self-contained HTML page: no code, prompts or hidden cells, only the
    report's language, a table of contents and a run block."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

    class DropStderr(Preprocessor):  # warnings belong in the executed notebook, not the report
        def preprocess_cell(self, cell: Any, resources: Any, index: int) -> Any:
            if cell.cell_type == "code":
                cell.outputs = [
                    o for o in cell.outputs
                    if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                ]
            return cell, resources

    language = _language(manifest)
    other = "en" if language == "da" else "da"
    exporter = HTMLExporter(
        template_name="exitanalysis",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        language_code=language,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={*HIDDEN_TAGS, LANGUAGE_TAG.format(other)}),
        enabled=True,
    )
    exporter.register_preprocessor(DropStderr(), enabled=True)
    # A page whose key findings rest on real figures must not sit under a banner that says
    # "synthetic, not results": the banner then says which parts are synthetic instead.
    real_findings = manifest["synthetic_inputs"] and _has_real_findings(nb)
    resources = {
        "metadata": {"name": notebook_title(nb, name, language)},
        "exitanalysis": {
            "synthetic": manifest["synthetic_inputs"],
            "synthetic_text": label("synthetic_parts_note" if real_findings
                                    else "synthetic_report", language),
            "banner_class": "xa-basis-note" if real_findings else "xa-synthetic",
            "back": label("all_reports", language),
            "run": run_block(manifest),
        },
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return frame_case_sections(add_table_of_contents(str(body), language))


#: Cells tagged so are built from the programme's case records (synthetic in the example).
CASE_TAG = "case-data"


def _has_real_findings(nb: Any) -> bool:
    """Whether the notebook shows key findings that rest on real (non-synthetic) figures."""
    return any('data-xa-basis="real"' in str(o.get("data", {}).get("text/html", ""))
               for cell in nb.cells for o in cell.get("outputs", []))


def frame_case_sections(page: str) -> str:
    """Put each run of cells tagged ``case-data`` in one ``<section>``, framed in red when
    it holds a synthetic banner: a reader sees where synthetic results begin and end."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    cells = []
    for tagged in soup.select(f".celltag_{CASE_TAG}"):
        classes: Any = tagged.get("class") or []
        cell = tagged if "jp-Cell" in classes else tagged.find_parent(class_="jp-Cell")
        if cell is not None and cell not in cells:
            cells.append(cell)
    if not cells:
        return page
    runs: list[list[Any]] = []
    for cell in cells:
        previous = cell.find_previous_sibling(class_="jp-Cell")
        if runs and previous is runs[-1][-1]:
            runs[-1].append(cell)
        else:
            runs.append([cell])
    for run in runs:
        synthetic = any(c.select(".xa-synthetic") for c in run)
        section = soup.new_tag("section", attrs={
            "class": "xa-case xa-case-synthetic" if synthetic else "xa-case"})
        run[0].insert_before(section)
        for cell in run:
            section.append(cell.extract())
    return str(soup)


def add_table_of_contents(page: str, language: Language) -> str:
    """Insert a list of the page's sections (its ``h2`` headings) before the first one."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    headings = soup.find_all("h2")
    if len(headings) < 2:
        return page
    nav = soup.new_tag("nav", attrs={"class": "xa-toc", "aria-label": label("table_of_contents",
                                                                              language)})
    title = soup.new_tag("p", attrs={"class": "xa-toc-title"})
    title.string = label("table_of_contents", language)
    nav.append(title)
    items = soup.new_tag("ol")
    for i, heading in enumerate(headings, start=1):
        anchor = heading.get("id") or f"section-{i}"
        heading["id"] = anchor
        for link in heading.find_all("a", attrs={"class": "anchor-link"}):
            link.decompose()
        item = soup.new_tag("li")
        link = soup.new_tag("a", href=f"#{anchor}")
        link.string = heading.get_text(strip=True)
        item.append(link)
        items.append(item)
    nav.append(items)
    first = headings[0]
    # Insert before the cell that holds the first section heading.
    cell = first.find_parent(class_="jp-Cell") or first
    cell.insert_before(nav)
    return str(soup)


def run_block(manifest: dict[str, Any]) -> dict[str, Any]:
    """What the run block of every report shows (escaped by the template)."""
    language = _language(manifest)
    config = manifest["config"]
    analysis = config.get("analysis", {})
    public = manifest["audience"] == "public"
    return {
        "title": label("run_block", language),
        "facts": [
            (label("run_date", language), manifest["run_date"]),
            ("exitanalysis", manifest["exitanalysis_version"] or "–"),
            (label("commit", language), manifest.get("git_commit") or "–"),
            (label("audience", language), label(manifest["audience"], language)),
            (label("language", language), language),
        ],
        "inputs_title": label("inputs", language),
        "inputs": [
            (label(i["name"], language), i.get("path"), i.get("sha256"),
             number(i["rows"], language) if i.get("rows") is not None else
             (str(i.get("persons")) if i.get("persons") is not None else
              label("suppressed_symbol", language) if i.get("persons_hidden") else "–"))
            for i in manifest["inputs"]
        ],
        "inputs_count_label": label("persons_count" if public else "rows", language),
        "parameters_title": label("parameters", language),
        # The reader's words first, the config key beside it (for whoever reruns the report).
        "parameters": [
            (label(f"param_{key}", language), key, _parameter_value(value, language))
            for key, value in (
                ("seed", config.get("seed")),
                ("prior_weight", analysis.get("prior_weight")),
                ("warning_threshold", analysis.get("warning_threshold")),
                ("min_cell", analysis.get("min_cell")),
                ("recruitment_measure", analysis.get("recruitment_measure")),
            )
        ],
        "versions_title": label("versions", language),
        "versions": sorted((k, v or "–") for k, v in manifest["versions"].items()),
    }


def card_details(nb: Any) -> dict[str, Any]:
    """What a report's card on the landing page shows: the first of its key findings (and
    whether it rests on synthetic data), and its first figure's alt text."""
    from bs4 import BeautifulSoup

    details: dict[str, Any] = {"finding": None, "finding_synthetic": False, "alt": None}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            page = output.get("data", {}).get("text/html")
            if not page:
                continue
            soup = BeautifulSoup(str(page), "html.parser")
            box = soup.select_one(".xa-findings")
            if box is not None and details["finding"] is None:
                first = box.select_one("li")
                details["finding"] = first.get_text(" ", strip=True) if first else None
                details["finding_synthetic"] = box.get("data-xa-basis") == "synthetic"
            image = soup.select_one("figure.xa-figure img")
            if image is not None and details["alt"] is None:
                details["alt"] = image.get("alt")
    return details


def _parameter_value(value: Any, language: Language) -> str:
    """A parameter's value as the reader writes it: ``0,5`` in Danish, words translated;
    a seed is an identifier, written without thousands separators."""
    if isinstance(value, bool) or value is None:
        return str(value) if value is not None else "–"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        decimals = 0 if value.is_integer() else len(f"{value:g}".split(".")[1])
        return number(value, language, decimals)
    return label(str(value), language)


def thumbnail(nb: Any, width: int = 720) -> str | None:
    """The notebook's first figure, scaled to ``width`` pixels, as a data URI."""
    from PIL import Image

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            raw: bytes | None = None
            if "image/png" in data:
                raw = base64.b64decode(data["image/png"])
            elif "text/html" in data:
                found = re.search(r'src="data:image/png;base64,([^"]+)"', str(data["text/html"]))
                raw = base64.b64decode(found.group(1)) if found else None
            if raw is None:
                continue
            image = Image.open(io.BytesIO(raw))
            small = image.resize((width, max(1, round(image.height * width / image.width))))
            buffer = io.BytesIO()
            small.save(buffer, format="PNG", optimize=True)
            return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    return None


def notebook_title(nb: Any, fallback: str, language: Language = "en") -> str:
    """The first Markdown heading of a notebook in ``language``."""
    other = LANGUAGE_TAG.format("en" if language == "da" else "da")
    for cell in nb.cells:
        if cell.cell_type != "markdown" or other in cell.metadata.get("tags", []):
            continue
        for line in cell.source.splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip()
    return fallback


# --- the landing page -----------------------------------------------------------------------


def render_index(manifest: dict[str, Any], programme: Programme,
                 cards: Sequence[dict[str, Any]], downloads: Sequence[str] = ()) -> str:
    """The landing page: the programme's status in a sentence, the key findings, a card per
    report with its first finding, downloads, and the data in the run.

    ``cards``: one per report, with ``name``, ``title``, ``thumbnail`` (a data URI or
    ``None``) and optionally ``finding``, ``finding_synthetic`` and ``alt``
    (:func:`card_details`). ``downloads``: paths of tables, figures and the manifest,
    relative to the report folder.
    """
    import jinja2

    language = _language(manifest)
    public = manifest["audience"] == "public"
    words = {key: label(key, language) for key in (
        "reports", "data_in_run", "early_warning", "run_date", "target", "period", "table",
        "file", "synthetic", "yes", "no", "key_findings", "downloads", "tables_csv",
        "figures_files", "manifest_file", "synthetic_mark",
    )}
    words["count"] = label("persons_count" if public else "rows", language)
    snapshots = [
        {
            "as_of": date_text(s.as_of, language),
            "count": number(s.contacted if s.contacted is not None else s.included or 0,
                            language),
            "what": label("contacted" if s.contacted is not None else "included", language),
            "source": s.source,
        }
        for s in programme.config.observed
    ]
    shown_cards = [
        {"href": f"{c['name']}.html", "title": c["title"], "thumbnail": c.get("thumbnail"),
         "alt": c.get("alt") or f"{c['title']}: {label('first_figure', language)}",
         "finding": c.get("finding"), "synthetic": bool(c.get("finding_synthetic"))}
        for c in cards
    ]
    files = {"tables": [d for d in downloads if d.startswith("tables/")],
             "figures": [d for d in downloads if d.startswith("figures/")],
             "manifest": [d for d in downloads if d == "manifest.json"]}
    inputs = [
        {"name": label(i["name"], language), "path": i.get("path") or "–",
         "count": (label("suppressed_symbol", language) if i.get("persons_hidden")
                   else _number_or_none(i.get("persons") if public else i.get("rows"),
                                        language)),
         "synthetic": bool(i.get("synthetic_rows") or i.get("synthetic"))}
        for i in manifest["inputs"]
    ]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "landing"),
        autoescape=True,
        keep_trailing_newline=True,
    )
    headline = manifest["headline"]
    findings = headline.get("key_findings")
    real_findings = bool(findings) and not findings.get("synthetic")
    spec = programme.config.programme
    return env.get_template("index.html.j2").render(
        lang=language,
        programme=spec,
        period=f"{month_text(f'{spec.start:%Y-%m}', language)} – "
               f"{month_text(f'{spec.end:%Y-%m}', language)}",
        target=number(spec.target, language),
        programme_status=programme_status(programme, language),
        findings=findings,
        files=files,
        run_date=date_text(dt.date.fromisoformat(manifest["run_date"]), language),
        synthetic=manifest["synthetic_inputs"],
        synthetic_text=label("synthetic_parts_note" if real_findings else "synthetic_report",
                             language),
        banner_class="basis-note" if real_findings else "synthetic",
        status=headline_sentence(headline, programme, language),
        status_class=(headline.get("status") or "unknown").replace(" ", "-"),
        snapshots=snapshots,
        cards=shown_cards,
        inputs=inputs,
        words=words,
    )


def _number_or_none(value: int | None, language: Language) -> str | None:
    return None if value is None else number(value, language)


def programme_status(programme: Programme, language: Language) -> str:
    """The programme's state in one sentence: running, or closed (in a year, or between two
    dates when the source gives no month)."""
    spec = programme.config.programme
    start = month_text(f"{spec.start:%Y-%m}", language)
    closed = spec.closed
    if closed is None:
        return label("programme_running", language, start=start,
                     end=month_text(f"{spec.end:%Y-%m}", language))
    if closed.earliest.year == closed.latest.year and closed.earliest.month == 1 \
            and closed.latest.month == 12:
        when = label("in_year", language, year=closed.earliest.year)
    elif f"{closed.earliest:%Y-%m}" == f"{closed.latest:%Y-%m}":
        when = label("in_month", language, month=month_text(f"{closed.earliest:%Y-%m}",
                                                             language))
    else:
        when = label("between_dates", language, first=date_text(closed.earliest, language),
                     last=date_text(closed.latest, language))
    return label("programme_closed", language, start=start, when=when)


def headline_sentence(headline: dict[str, Any], programme: Programme, language: Language) -> str:
    """The early-warning status of the landing page, in one or two sentences."""
    forecast = headline.get("forecast")
    if forecast is None:
        return label("forecast_not_run", language)
    status = label(f"status_{headline['status'].replace(' ', '_')}", language)
    end = programme.config.programme.end
    sentence = label("status_sentence", language, status=status,
                     p=probability(forecast["p_reach_target"], language),
                     target=number(forecast["target"], language), end=date_text(end, language),
                     recruited=number(forecast["recruited"], language),
                     measure=label(headline.get("measure", "included"), language),
                     when=headline.get("as_of") or "–")
    if headline.get("first_warning") and not headline.get("key_findings"):
        sentence += " " + label(
            "status_first_warning", language, month=month_text(headline["first_warning"], language),
            fa=percent(headline["warning_rule"]["false_alarm"], language, 1))
    return sentence


# --- the manifest ---------------------------------------------------------------------------


def compute_headline(programme: Programme) -> dict[str, Any]:
    """``headline`` of the manifest: the recruitment assessment's forecast and first warning.

    Computed by the same library call the recruitment notebook makes, so the landing page and
    the report cannot disagree. A programme whose data identify no rate gets ``forecast: null``
    and the reason.
    """
    from ..assess.shortfall import assess_shortfall

    threshold = programme.config.analysis.warning_threshold
    try:
        return assess_shortfall(programme).headline()
    except ValueError as exc:
        return {"forecast": None, "first_warning": None, "warning_threshold": threshold,
                "status": None, "note": str(exc)}


def build_manifest(config: Config, programme: Programme, notebooks: Sequence[dict[str, Any]],
                   headline: dict[str, Any] | None = None) -> dict[str, Any]:
    """``manifest.json`` as in CONTRACT §4.

    With ``audience: public``, inputs carry counts of distinct persons (small ones left out)
    instead of row counts, and neither file names nor SHA-256 digests: a holder of a
    candidate file could confirm with them that it is the one analysed.
    """
    public = config.audience == "public"
    # Public: the persons each page shows, from the audited release (assess.release).
    released = public_release(programme).table_persons if public else {}
    inputs = []
    for s in programme.sources:
        entry: dict[str, Any] = {"name": s.name}
        if public:
            entry["rows"] = None
            entry["persons"] = released.get(s.name)
            # null for a reason a reader should see: disclosure control, not a missing count
            entry["persons_hidden"] = s.name in released and released[s.name] is None
            entry["synthetic"] = s.synthetic
        else:
            entry.update(path=s.path, sha256=s.sha256, rows=s.rows, file_format=s.file_format,
                         synthetic_rows=s.synthetic_rows)
        inputs.append(entry)
    resolved = config.to_manifest(relative_to=Path.cwd())
    if public:  # which tables were used, not where they are
        resolved["data"] = {name: "(not published)" for name in config.data.given()}
    return {
        "run_name": config.run_name,
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "run_date": run_date().isoformat(),
        "exitanalysis_version": package_version("exitanalysis"),
        "git_commit": git_commit(paths.project_root()),
        "audience": config.audience,
        "language": config.language,
        "synthetic_inputs": programme.synthetic,
        "config": resolved,
        "inputs": inputs,
        "versions": {"python": platform.python_version(),
                     **{p: package_version(p) for p in RECORDED_PACKAGES}},
        "notebooks": list(notebooks),
        "headline": headline or {
            "forecast": None,
            "first_warning": None,
            "warning_threshold": config.analysis.warning_threshold,
        },
    }


def package_version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def git_commit(root: Path) -> str | None:
    """The commit of the project's source tree, or ``None`` outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and commit else None
