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

import contextlib
import ctypes
import datetime as dt
import errno
import fcntl
import json
import math
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from ..assess.release import require_publishable
from ..data import paths
from ..data.config import Config, display_path, load_config
from ..data.programme import Programme, load_programme
from ..errors import LockHeldError, NotebookFailedError, PublishError, UsageError
from ..text import Language
from .outputs import json_safe
from .rendering import (
    COMPLETE_TAG,
    build_manifest,
    card_details,
    compute_headline,
    notebook_title,
    render_index,
    render_report,
    thumbnail,
)

Log = Callable[[str], None]
#: A report's folder name (the config file's stem).
_REPORT_NAME = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]*$")



#: The landing page's cards, in the order a reader takes them (other reports follow, by name).
READING_ORDER = ("recruitment_shortfall", "channel_effects", "outcomes", "partner_network",
                 "target_realism", "data_overview")

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
    programme = load_programme(config)
    require_publishable(programme)
    notebooks = select_notebooks(Path(notebooks_dir) if notebooks_dir else paths.notebooks_dir(),
                                 only)
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs must be at least 1 (got {jobs})")
    if not (math.isfinite(cell_timeout) and cell_timeout > 0):
        raise UsageError("--timeout: expected a number of seconds > 0 (a cell may not run "
                         "without a limit)")
    if not _REPORT_NAME.match(config.run_name):
        raise UsageError(f"the config file's name makes the report's folder name: use letters, "
                         f"digits, '-', '_' and '.', not starting with '.' ({config.path.name})")
    jobs = jobs or os.cpu_count() or 1
    # Absolute: notebooks run with their own folder as working directory.
    out = Path(out_dir).resolve()
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out_dir} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out: cannot create the folder {out_dir} "
                         f"({exc.strerror or type(exc).__name__})") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise UsageError(f"--out: the folder {out_dir} is not writable")
    work = _private_dir(out / ".exitanalysis")
    with report_lock(work, config.run_name):
        _remove_stale_staging(work, config.run_name)
        _prune_failed(work, config.run_name)
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
    try:
        meta = nbformat.read(path, as_version=4).metadata.get("exitanalysis", {})
        return int(meta.get("order", 1000))
    except Exception:  # nbformat raises several kinds for a file that is not a notebook
        raise UsageError(f"{path.name} in the notebooks folder cannot be read as a notebook "
                         "(is it complete JSON?)") from None


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
    executed = staging / "notebooks"
    executed.mkdir()
    language: Language = "da" if config.language == "da" else "en"
    # What a page shows of the run is known before any notebook runs: each page is rendered
    # as soon as its notebook is done, while the others still execute.
    manifest = build_manifest(config, programme, [], headline=None)

    def render(result: NotebookResult) -> dict[str, Any]:
        page = render_report(result.notebook, manifest, result.name)
        (staging / f"{result.name}.html").write_text(page, encoding="utf-8")
        return {"name": result.name,
                "title": notebook_title(result.notebook, result.name, language),
                "thumbnail": thumbnail(result.notebook), **card_details(result.notebook)}

    with ThreadPoolExecutor(max_workers=1) as side:
        # The landing page's headline is computed beside the notebooks, not after them.
        headline = side.submit(compute_headline, programme)
        results, cards = _execute_all(
            longest_first(notebooks, previous_seconds(work.parent / config.run_name)),
            parameters, executed, jobs, cell_timeout, log, config.run_name, render)
        failed = [r for r in results if r.status != "ok"]
        if failed:
            kept = _keep_failed(work, config.run_name, failed)
            details = "; ".join(f"{r.name}: {r.error}" for r in failed)
            raise NotebookFailedError(
                f"{len(failed)} notebook(s) failed ({details}). Nothing was published. "
                f"The partly executed notebooks are kept, privately, in {kept}"
            )
        manifest["headline"] = headline.result()
    order = {path.stem: i for i, path in enumerate(notebooks)}
    results.sort(key=lambda r: order[r.name])
    manifest["notebooks"] = [{"name": r.name, "html": f"{r.name}.html", "status": r.status,
                              "seconds": r.seconds} for r in results]
    manifest["created_utc"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    log("writing the landing page")
    # A committee reads the headline first, then why, then what the data are.
    cards.sort(key=lambda card: (READING_ORDER.index(card["name"])
                                 if card["name"] in READING_ORDER else len(READING_ORDER),
                                 card["name"]))
    downloads = [*(p.relative_to(staging).as_posix() for folder in ("tables", "figures")
                   for p in sorted((staging / folder).glob("*")) if p.is_file()),
                 "manifest.json"]
    (staging / "index.html").write_text(render_index(manifest, programme, cards, downloads),
                                        encoding="utf-8")
    (staging / "manifest.json").write_text(
        json.dumps(json_safe(manifest), indent=2, ensure_ascii=False, allow_nan=False) + "\n",
        encoding="utf-8",
    )
    if config.audience == "public":
        shutil.rmtree(executed)  # executed notebooks hold person-level data
    else:
        for result in results:
            nbformat.write(for_publication(result.notebook, staging, config),
                           executed / f"{result.name}.ipynb")
    _scrub_private_folders(staging, config)
    check_publishable(staging, public=config.audience == "public")
    _set_access(staging, public=config.audience == "public")
    return manifest


def previous_seconds(report: Path) -> dict[str, float]:
    """How long each notebook took in the report last published at ``report`` (empty when
    there is none or its manifest cannot be read)."""
    try:
        manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
        return {str(n["name"]): float(n["seconds"]) for n in manifest.get("notebooks", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def longest_first(notebooks: Sequence[Path], seconds: dict[str, float]) -> list[Path]:
    """The notebooks in the order to start them: the longest last time first, so that no
    long notebook starts alone at the end while the other workers sit idle (notebooks
    without a time keep their order, after the timed ones)."""
    return sorted(notebooks, key=lambda p: -seconds.get(p.stem, -1.0))


#: Text files of a report that could carry a path printed by a notebook.
_TEXT_SUFFIXES = frozenset({".html", ".ipynb", ".csv", ".json", ".svg"})


def _scrub_private_folders(folder: Path, config: Config) -> None:
    """Replace the absolute folders of the config and its inputs, wherever a notebook printed
    them, by how a report names them: a user's folder layout (names, clients, shares) is
    never published."""
    folders = {config.path.resolve().parent, *(p.parent for p in config.data.given().values())}
    replacements = sorted(((str(f), display_path(f) or ".") for f in folders if str(f) != "/"),
                          key=lambda pair: -len(pair[0]))
    for path in folder.rglob("*"):
        if not path.is_file() or path.suffix.lower() not in _TEXT_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8")
        scrubbed = text
        for private, shown in replacements:
            scrubbed = scrubbed.replace(private, shown)
        if scrubbed != text:
            path.write_text(scrubbed, encoding="utf-8")


def _set_access(folder: Path, *, public: bool) -> None:
    """Who may read the report: everyone for a public one (0755/0644); only the owner for an
    internal one, which holds person-level dates (0700/0600)."""
    folder_mode, file_mode = (0o755, 0o644) if public else (0o700, 0o600)
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, folder_mode if path.is_dir() else file_mode)


def for_publication(nb: Any, staging: Path, config: Config) -> Any:
    """An executed notebook without run timings or private paths, so that identical inputs
    give identical bytes (the timings are in the manifest). Output folders are named
    relative to the notebook's place in the report (``../figures``), and the config as a
    report names its inputs (never a private folder such as a user's desktop)."""
    clean = nbformat.from_dict(json.loads(json.dumps(nb)))
    clean.metadata.pop("papermill", None)
    clean.cells = [c for c in clean.cells if COMPLETE_TAG not in c.metadata.get("tags", [])]
    for cell in clean.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = cell.source.replace(str(staging), "..").replace(
                str(config.path.resolve()), display_path(config.path))
            cell["id"] = "injected-parameters"
    return clean


def _execute_all(notebooks: list[Path], parameters: dict[str, Any], executed: Path, jobs: int,
                 cell_timeout: float, log: Log, run_name: str,
                 render: Callable[[NotebookResult], dict[str, Any]],
                 ) -> tuple[list[NotebookResult], list[dict[str, Any]]]:
    """Execute the notebooks, ``jobs`` at a time, reporting progress as they finish; each
    successful one is rendered by ``render`` in its worker while the others run. Returns the
    results in the order finished, and the rendered cards."""
    total = len(notebooks)
    workers = min(jobs, total)
    log(f"running {total} notebook(s) for {run_name} with {workers} job(s)")
    bar = _progress_bar(total)
    results: list[NotebookResult] = []
    cards: list[dict[str, Any]] = []

    def execute_and_render(path: Path) -> tuple[NotebookResult, dict[str, Any] | None]:
        result = execute_notebook(path, parameters, executed / path.name,
                                  cell_timeout=cell_timeout)
        return result, (render(result) if result.status == "ok" else None)

    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = [pool.submit(execute_and_render, path) for path in notebooks]
        for done, future in enumerate(as_completed(futures), start=1):
            result, card = future.result()
            results.append(result)
            if card is not None:
                cards.append(card)
            line = f"[{done}/{total}] {result.name}: {result.status} ({result.seconds:.1f} s)"
            if bar is not None:
                bar.set_postfix_str(f"{result.name}: {result.status}")
                bar.update(1)
            else:
                log(line)
    except KeyboardInterrupt:
        # Ctrl-C reaches this process but not the kernels (each runs in its own session):
        # without help the run would wait for the running cell, up to its timeout. Drop the
        # queued notebooks, stop the kernels, and let the workers see them die before the
        # caller removes the staging folder they write to.
        pool.shutdown(wait=False, cancel_futures=True)
        _stop_kernels()
        pool.shutdown(wait=True)
        raise
    finally:
        pool.shutdown(wait=True)
        if bar is not None:
            bar.close()
    return results, cards


def _stop_kernels(grace: float = 3.0) -> None:
    """Terminate this process's child processes (the notebook kernels), killing any that
    outlive ``grace`` seconds."""
    import psutil

    children = psutil.Process().children(recursive=True)
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=grace)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()


def _progress_bar(total: int) -> Any:
    """A progress bar on a terminal; ``None`` (plain log lines) for a scheduler's log."""
    if not sys.stderr.isatty() or os.environ.get("EXITANALYSIS_NO_PROGRESS"):
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="notebook", file=sys.stderr, leave=False,
                desc="notebooks")


#: What a published report may contain; anything else stops the publication.
ALLOWED_SUFFIXES = frozenset({".html", ".png", ".svg", ".csv", ".json"})


def check_publishable(folder: Path, *, public: bool) -> None:
    """Refuse to publish a file type outside the allow-list (executed notebooks only for an
    internal audience)."""
    allowed = ALLOWED_SUFFIXES if public else ALLOWED_SUFFIXES | {".ipynb"}
    stray = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                   if p.is_file() and p.suffix.lower() not in allowed)
    if stray:
        raise PublishError(
            f"refusing to publish: file types outside the allow-list ({', '.join(sorted(allowed))})"
            f": {', '.join(stray[:10])}"
        )


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
    marker.metadata["tags"] = [COMPLETE_TAG]
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
    if last is None or COMPLETE_TAG not in last.metadata.get("tags", []):
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


def _own_folders(parent: Path, run_name: str) -> list[Path]:
    """This report's folders named ``<run-name>.<stamp>[.<token>]`` (not another report's
    whose name merely starts the same: ``canary`` is not ``canary.v2``), oldest first."""
    if not parent.is_dir():
        return []
    pattern = re.compile(rf"^{re.escape(run_name)}\.\d{{8}}T\d{{6}}Z(?:\.[0-9a-f]{{8}})?$")
    return sorted(p for p in parent.iterdir() if pattern.match(p.name))


def _remove_stale_staging(work: Path, run_name: str) -> None:
    # Called with the lock held: any staging folder of this report is from a dead run.
    for leftover in _own_folders(work / "staging", run_name):
        shutil.rmtree(leftover, ignore_errors=True)


#: Failed runs kept per report for the analyst (they hold person-level data).
KEEP_FAILED = 3


def _prune_failed(work: Path, run_name: str) -> None:
    """Keep this report's last :data:`KEEP_FAILED` failed runs; older ones are deleted."""
    for old in _own_folders(work / "failed", run_name)[:-KEEP_FAILED]:
        shutil.rmtree(old, ignore_errors=True)


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


__all__ = ["RunResult", "load_config", "publish", "report_lock", "run", "select_notebooks"]
