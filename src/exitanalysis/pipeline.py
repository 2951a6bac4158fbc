"""The report pipeline behind ``exitanalysis run`` (CONTRACT §1 and §4).

A run validates the config and every input, executes each notebook with papermill in a private
staging folder, renders the notebooks to HTML without code, writes ``index.html`` and
``manifest.json``, and then publishes the whole folder at once. Readers see the old report or
the new one, never a mixture; a failed or killed run leaves the published report untouched.

Layout of the output folder ``DIR``::

    DIR/<run-name>/              the published report
    DIR/.exitanalysis/locks/     one lock file per report (flock: released if the run dies)
    DIR/.exitanalysis/staging/   reports being built (removed afterwards, or by the next run)
    DIR/.exitanalysis/failed/    failed notebooks kept for the analyst (private: mode 0700)
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import datetime as dt
import errno
import fcntl
import io
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import nbformat

from . import paths
from .config import Config, load_config
from .data import Programme, load_programme
from .errors import LockHeldError, NotebookFailedError, UsageError
from .text import Language, label

Log = Callable[[str], None]

#: Packages whose versions a report records.
RECORDED_PACKAGES = (
    "exitanalysis", "numpy", "scipy", "pandas", "statsmodels", "matplotlib", "seaborn",
    "pandera", "pydantic", "papermill", "nbconvert", "ipykernel",
)
_COMPLETE_TAG = "exitanalysis-complete"
_HIDDEN_TAGS = ("remove-cell", "parameters", "injected-parameters", _COMPLETE_TAG)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class NotebookResult:
    """How one notebook's execution went.

    Attributes
    ----------
    name
        The notebook's stem.
    status
        ``ok`` or ``failed``.
    seconds
        Wall-clock execution time.
    error
        For a failure: the exception type and the cell, never its message (which may hold data).
    notebook
        The executed notebook (in memory).
    """

    name: str
    status: str
    seconds: float
    error: str | None
    notebook: Any


@dataclass(frozen=True)
class RunResult:
    """A published report: where it is and its manifest."""

    report_dir: Path
    manifest: dict[str, Any]


# --- the run --------------------------------------------------------------------------------


def run(
    config_path: str | Path,
    *,
    out_dir: str | Path = "reports",
    jobs: int | None = None,
    only: Sequence[str] | None = None,
    language: str | None = None,
    audience: str | None = None,
    notebooks_dir: str | Path | None = None,
    cell_timeout: float = 600.0,
    log: Log = _stderr,
) -> RunResult:
    """Validate, execute every notebook, render and publish one report.

    Parameters
    ----------
    config_path
        The programme config (CONTRACT §2).
    out_dir
        Reports go to ``out_dir/<config stem>/``.
    jobs
        Notebooks executed at once (default: the number of cores).
    only
        Notebook stems to run (default: all in ``notebooks_dir``).
    language, audience
        Override the config's values.
    notebooks_dir
        Where the notebooks are (default: the project's ``notebooks/``).
    cell_timeout
        Seconds a single cell may run before the notebook fails.
    log
        Where progress lines go (default: standard error).

    Raises
    ------
    ConfigError, InputError, UsageError
        Bad config, input or arguments (exit 2); nothing is published.
    LockHeldError
        Another run of the same report is under way (exit 3).
    NotebookFailedError
        A notebook failed (exit 1); the partial notebook is kept privately.
    """
    config = load_config(config_path).with_overrides(language=language, audience=audience)
    if config.audience == "public":
        raise UsageError(
            "audience 'public' is not available yet: the disclosure control it needs "
            "(minimum cell sizes with secondary suppression) is not built. Run with "
            "--audience internal and do not publish the result."
        )
    programme = load_programme(config)
    notebooks = select_notebooks(Path(notebooks_dir) if notebooks_dir else paths.notebooks_dir(),
                                 only)
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs must be at least 1 (got {jobs})")
    jobs = jobs or os.cpu_count() or 1
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    work = _private_dir(out / ".exitanalysis")
    with report_lock(work, config.run_name):
        _remove_stale_staging(work, config.run_name)
        staging = _private_dir(work / "staging") / (
            f"{config.run_name}.{_stamp()}.{secrets.token_hex(4)}"
        )
        staging.mkdir()
        try:
            result = _build(config, programme, notebooks, staging, work, jobs, cell_timeout, log)
            target = out / config.run_name
            publish(staging, target)
            log(f"published {target}")
            return RunResult(target, result)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def select_notebooks(folder: Path, only: Sequence[str] | None) -> list[Path]:
    """The notebooks of ``folder`` in report order, or the subset named in ``only``."""
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    found.sort(key=lambda p: (_notebook_order(p), p.stem))
    if not found:
        raise UsageError(f"no notebooks found in {folder}")
    if not only:
        return found
    by_name = {p.stem: p for p in found}
    unknown = [n for n in only if n not in by_name]
    if unknown:
        raise UsageError(
            f"--only: unknown notebook(s) {', '.join(unknown)}; available: {', '.join(by_name)}"
        )
    return [by_name[n] for n in dict.fromkeys(only)]


def _notebook_order(path: Path) -> int:
    meta = nbformat.read(path, as_version=4).metadata.get("exitanalysis", {})
    return int(meta.get("order", 1000))


def _build(
    config: Config,
    programme: Programme,
    notebooks: list[Path],
    staging: Path,
    work: Path,
    jobs: int,
    cell_timeout: float,
    log: Log,
) -> dict[str, Any]:
    figures, tables = staging / "figures", staging / "tables"
    figures.mkdir()
    tables.mkdir()
    parameters = {
        "config_path": str(config.path.resolve()),
        "language": config.language,
        "audience": config.audience,
        "seed": config.seed,
        "figures_dir": str(figures),
        "tables_dir": str(tables),
    }
    total = len(notebooks)
    log(f"running {total} notebook(s) for {config.run_name} with {min(jobs, total)} job(s)")
    done = 0

    executed = staging / "notebooks"
    executed.mkdir()

    def one(path: Path) -> NotebookResult:
        nonlocal done
        result = execute_notebook(path, parameters, executed / path.name,
                                  cell_timeout=cell_timeout)
        done += 1
        log(f"[{done}/{total}] {result.name}: {result.status} ({result.seconds:.1f} s)")
        return result

    with ThreadPoolExecutor(max_workers=min(jobs, total)) as pool:
        results = list(pool.map(one, notebooks))

    failed = [r for r in results if r.status != "ok"]
    if failed:
        kept = _keep_failed(work, config.run_name, failed)
        details = "; ".join(f"{r.name}: {r.error}" for r in failed)
        raise NotebookFailedError(
            f"{len(failed)} notebook(s) failed ({details}). Nothing was published. "
            f"The partly executed notebooks are kept, privately, in {kept}"
        )

    manifest = build_manifest(config, programme, results, headline=compute_headline(programme))
    thumbnails: dict[str, str | None] = {}
    for result in results:
        html_text = render_html(result.notebook, manifest, result.name)
        (staging / f"{result.name}.html").write_text(html_text, encoding="utf-8")
        thumbnails[result.name] = thumbnail(result.notebook)
    (staging / "index.html").write_text(
        render_index(manifest, programme, results, thumbnails), encoding="utf-8"
    )
    (staging / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest


# --- executing one notebook -----------------------------------------------------------------


def execute_notebook(
    path: Path, parameters: dict[str, Any], output: Path, *, cell_timeout: float = 600.0
) -> NotebookResult:
    """Execute a notebook with papermill; success needs the completion marker at the end.

    A hidden last cell prints a token that only this run knows; a notebook that stops early
    without an error (``sys.exit(0)`` in a cell) never prints it and so counts as failed.
    The executed notebook is written to ``output`` as cells complete.
    """
    import papermill as pm

    token = secrets.token_hex(8)
    nb = nbformat.read(path, as_version=4)
    marker = nbformat.v4.new_code_cell(f"print('exitanalysis:complete:{token}')")
    marker.metadata["tags"] = [_COMPLETE_TAG]
    nb.cells.append(marker)
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3",
                                          "language": "python"})
    started = time.perf_counter()
    error: str | None = None
    executed = nb
    try:
        executed = pm.execute_notebook(
            nb,
            str(output),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(path.parent),
            progress_bar=False,
            log_output=False,
            execution_timeout=cell_timeout,
            # Explicitly inline: an inherited MPLBACKEND=Agg would make figures vanish.
            extra_arguments=["--IPKernelApp.matplotlib=inline", "--IPKernelApp.log_level=ERROR"],
        )
    except Exception as exc:  # papermill raises its own and nbclient's kinds
        error = _describe_failure(exc)
        executed = nbformat.read(output, as_version=4) if output.is_file() else nb
    seconds = time.perf_counter() - started
    if error is None and not _completed(executed, token):
        error = f"stopped before its last cell without an error ({_first_error(executed)})"
    return NotebookResult(
        name=path.stem,
        status="ok" if error is None else "failed",
        seconds=round(seconds, 1),
        error=error,
        notebook=executed,
    )


def _describe_failure(exc: Exception) -> str:
    # The exception type and cell only: messages can quote data values.
    ename = getattr(exc, "ename", None) or type(exc).__name__
    cell = getattr(exc, "exec_count", None)
    if "Timeout" in type(exc).__name__ or "timed out" in str(exc).lower():
        return "a cell ran over the time limit"
    return f"{ename} in cell [{cell}]" if cell is not None else str(ename)


def _completed(nb: Any, token: str) -> bool:
    last = nb.cells[-1] if nb.cells else None
    if last is None or _COMPLETE_TAG not in last.metadata.get("tags", []):
        return False
    return any(
        o.get("output_type") == "stream" and f"exitanalysis:complete:{token}" in o.get("text", "")
        for o in last.get("outputs", [])
    )


def _first_error(nb: Any) -> str:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"{output.get('ename')} in cell [{cell.get('execution_count')}]"
    return "no error output"


def _keep_failed(work: Path, run_name: str, failed: list[NotebookResult]) -> Path:
    folder = _private_dir(_private_dir(work / "failed") / f"{run_name}.{_stamp()}")
    for result in failed:
        nbformat.write(result.notebook, folder / f"{result.name}.ipynb")
    return folder


# --- rendering ------------------------------------------------------------------------------


def render_html(nb: Any, manifest: dict[str, Any], name: str) -> str:
    """A notebook as a self-contained HTML page without code, prompts or hidden cells."""
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

    exporter = HTMLExporter(
        template_name="exitanalysis",
        extra_template_basedirs=[str(paths.template_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(_HIDDEN_TAGS)), enabled=True
    )
    exporter.register_preprocessor(DropStderr(), enabled=True)
    resources = {
        "metadata": {"name": name},
        "exitanalysis": {
            "synthetic": manifest["synthetic_inputs"],
            "synthetic_text": label("synthetic_report", manifest["language"]),
            "back": label("all_reports", manifest["language"]),
            "run_line": _run_line(manifest),
        },
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return str(body)


def _run_line(manifest: dict[str, Any]) -> str:
    commit = manifest.get("git_commit") or "no commit"
    return (
        f"exitanalysis {manifest['exitanalysis_version']} · run {manifest['created_utc']} · "
        f"commit {commit} · config {manifest['run_name']}"
    )


def thumbnail(nb: Any, width: int = 360) -> str | None:
    """The notebook's first PNG figure, scaled to ``width`` pixels, as a data URI."""
    from PIL import Image

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                raw = base64.b64decode(data["image/png"])
                image = Image.open(io.BytesIO(raw))
                ratio = width / image.width
                small = image.resize((width, max(1, round(image.height * ratio))))
                buffer = io.BytesIO()
                small.save(buffer, format="PNG", optimize=True)
                return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    return None


def notebook_title(nb: Any, fallback: str) -> str:
    """The first Markdown heading of a notebook."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def render_index(
    manifest: dict[str, Any],
    programme: Programme,
    results: Sequence[NotebookResult],
    thumbnails: dict[str, str | None],
) -> str:
    """The landing page: programme, run, data sources, headline, a card per report."""
    import jinja2

    language = manifest["language"]
    words = {key: label(key, language) for key in (
        "reports", "data_in_run", "early_warning", "run", "target", "period", "table", "file",
        "rows", "synthetic", "yes", "no",
    )}
    snapshots = [
        {
            "as_of": s.as_of,
            "count": s.contacted if s.contacted is not None else s.included,
            "what": label("contacted" if s.contacted is not None else "included", language),
            "source": s.source,
        }
        for s in programme.config.observed
    ]
    cards = []
    for result in results:
        title = notebook_title(result.notebook, result.name)
        cards.append({
            "href": f"{result.name}.html",
            "title": title,
            "thumbnail": thumbnails.get(result.name),
            "alt": f"{title}: {label('first_figure', language)}",
        })
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths.template_dir() / "landing"),
        autoescape=True,
        keep_trailing_newline=True,
    )
    return env.get_template("index.html.j2").render(
        lang=language,
        programme=programme.config.programme,
        created_utc=manifest["created_utc"],
        synthetic=manifest["synthetic_inputs"],
        synthetic_text=label("synthetic_report", language),
        status=headline_sentence(manifest["headline"], programme, language),
        status_class=(manifest["headline"].get("status") or "unknown").replace(" ", "-"),
        snapshots=snapshots,
        cards=cards,
        inputs=manifest["inputs"],
        words=words,
    )


def headline_sentence(headline: dict[str, Any], programme: Programme, language: str) -> str:
    """The early-warning status of the landing page, in one or two sentences."""
    from .text import number

    lang: Language = "da" if language == "da" else "en"
    forecast = headline.get("forecast")
    if forecast is None:
        return label("forecast_not_run", lang)
    p = forecast["p_reach_target"]
    shown = ("< 0,01 %" if lang == "da" else "< 0.01 %") if p < 1e-4 else \
        f"{number(100 * p, lang, 1)} %"
    end = programme.config.programme.end
    status = label(f"status_{headline['status'].replace(' ', '_')}", lang)
    sentence = label("status_sentence", lang, status=status, p=shown,
                     target=number(forecast["target"], lang), end=end.isoformat(),
                     recruited=number(forecast["recruited"], lang),
                     measure=label(headline.get("measure", "included"), lang))
    if headline.get("first_warning"):
        sentence += " " + label("status_first_warning", lang, month=headline["first_warning"],
                                threshold=f"{number(100 * headline['warning_threshold'], lang)} %")
    return sentence


# --- manifest -------------------------------------------------------------------------------


def compute_headline(programme: Programme) -> dict[str, Any]:
    """``headline`` of the manifest: the recruitment assessment's forecast and first warning.

    Computed by the same library call the recruitment notebook makes, so the landing page and
    the report cannot disagree. A programme whose data identify no rate gets ``forecast: null``
    and the reason.
    """
    from .shortfall import assess_shortfall

    threshold = programme.config.analysis.warning_threshold
    try:
        return assess_shortfall(programme).headline()
    except ValueError as exc:
        return {"forecast": None, "first_warning": None, "warning_threshold": threshold,
                "status": None, "note": str(exc)}


def build_manifest(
    config: Config,
    programme: Programme,
    results: Sequence[NotebookResult],
    headline: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``manifest.json`` as in CONTRACT §4."""
    root = paths.project_root()
    return {
        "run_name": config.run_name,
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "exitanalysis_version": _version("exitanalysis"),
        "git_commit": git_commit(root),
        "audience": config.audience,
        "language": config.language,
        "synthetic_inputs": programme.synthetic,
        "config": config.to_manifest(relative_to=Path.cwd()),
        "inputs": [
            {"name": s.name, "path": s.path, "sha256": s.sha256, "rows": s.rows,
             "file_format": s.file_format, "synthetic_rows": s.synthetic_rows}
            for s in programme.sources
        ],
        "versions": {"python": platform.python_version(),
                     **{p: _version(p) for p in RECORDED_PACKAGES}},
        "notebooks": [
            {"name": r.name, "html": f"{r.name}.html", "status": r.status, "seconds": r.seconds}
            for r in results
        ],
        "headline": headline or {
            "forecast": None,
            "first_warning": None,
            "warning_threshold": config.analysis.warning_threshold,
        },
    }


def _version(package: str) -> str | None:
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


# --- publishing, locking, private folders ---------------------------------------------------


def publish(staging: Path, target: Path) -> None:
    """Make ``staging`` the report at ``target`` in one step.

    On Linux the two folders are swapped atomically (``renameat2`` with ``RENAME_EXCHANGE``);
    elsewhere the old report is renamed aside first, leaving a moment with no report but never
    a mixture of old and new.
    """
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # staging now holds the old report
        return
    aside = staging.with_name(staging.name + ".old")
    os.rename(target, aside)
    os.rename(staging, target)
    shutil.rmtree(aside, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


@contextlib.contextmanager
def report_lock(work: Path, run_name: str) -> Iterator[None]:
    """Hold the report's lock; :class:`LockHeldError` (exit 3) if another run holds it.

    The lock is an ``flock`` on an open file: the kernel releases it when the process ends,
    however it ends, so a killed run never leaves it stuck.
    """
    locks = _private_dir(work / "locks")
    handle = open(locks / f"{run_name}.lock", "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeldError(
                f"another run of the report '{run_name}' is under way (lock "
                f"{locks / (run_name + '.lock')}); try again when it has finished"
            ) from None
        yield
    finally:
        handle.close()


def _remove_stale_staging(work: Path, run_name: str) -> None:
    # Called with the lock held: any staging folder of this report is from a dead run.
    staging = work / "staging"
    if staging.is_dir():
        for leftover in staging.glob(f"{run_name}.*"):
            shutil.rmtree(leftover, ignore_errors=True)


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


__all__ = ["RunResult", "load_config", "publish", "report_lock", "run", "select_notebooks"]
