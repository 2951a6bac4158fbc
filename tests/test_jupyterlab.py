"""The evaluator's path (issue 15): JupyterLab started as `make lab` starts it, each notebook
opened in headless Chromium, run with the project's kernel, then rerun in Danish.

JupyterLab serves a copy of the notebooks beside links to the project's configs/ and data/,
so that its autosave never touches the committed notebooks, while any file a notebook wrote
into configs/ or data/ would show in the project itself. Screenshots go to
test-artifacts/jupyterlab/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ARTIFACTS, ROOT
from exitanalysis.lab import KERNEL_DISPLAY_NAME
from exitanalysis.text import label

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
#: Seconds a notebook may take to run all its cells in the browser.
RUN_LIMIT = 300


def _tree(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")
            if ".ipynb_checkpoints" not in p.parts}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):
    """JupyterLab on a copy of the project's notebooks, started by `python -m
    exitanalysis.lab` (what `make lab` runs); yields (base URL, token, project folder)."""
    home = tmp_path_factory.mktemp("lab")
    project = home / "project"
    (project / "notebooks").mkdir(parents=True)
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", project / "notebooks")
    for folder in ("configs", "data"):
        (project / folder).symlink_to(ROOT / folder)
    # Every cell in the page (no virtual scrolling), so the test sees all outputs.
    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}), encoding="utf-8")
    news = home / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)  # no "get notified about Jupyter news?" over the screenshots
    (news / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false"}), encoding="utf-8")
    token = "xa" + os.urandom(16).hex()
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env.update(JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "rt"),
               EXITANALYSIS_LAB_TOKEN=token)
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "exitanalysis.lab", "--root", str(project), "--no-browser"],
        stdout=subprocess.PIPE, stderr=log, text=True, env=env, start_new_session=True)
    try:
        assert server.stdout is not None
        printed = [server.stdout.readline() for _ in range(3)]
        urls = [line.strip() for line in printed if line.strip().startswith("http://")]
        assert urls, f"make lab prints the URL to open: {printed}"
        url = urls[0]
        assert re.fullmatch(rf"http://127\.0\.0\.1:\d+/lab/tree/notebooks\?token={token}", url)
        base = url.split("/lab/")[0]
        _wait_until_up(f"{base}/api/status?token={token}", server)
        yield base, token, project
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def _wait_until_up(url: str, server: subprocess.Popen[str], limit: float = 90) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail("JupyterLab did not answer within 90 s")


# What the page shows of the notebook's run: every code cell's prompt, error outputs, and
# each figure's image (loaded or not).
STATE = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return {prompts: [], errors: 0, warnings: [], images: [], text: ''};
  const cells = [...panel.querySelectorAll('.jp-CodeCell')];
  const prompts = cells.map(c => (c.querySelector('.jp-InputPrompt') || {}).textContent || '');
  const errors = [...panel.querySelectorAll(
      '[data-mime-type="application/vnd.jupyter.error"]')].length;
  const warnings = [...panel.querySelectorAll(
      '[data-mime-type="application/vnd.jupyter.stderr"]')].map(o => o.innerText.slice(0, 200));
  const images = [...panel.querySelectorAll('.jp-OutputArea-output img')].map(
      img => img.complete && img.naturalWidth > 0 && img.alt.length > 0);
  const text = [...panel.querySelectorAll('.jp-OutputArea-output')].map(
      o => o.innerText).join('\\n');
  return {prompts, errors, warnings, images, text};
}"""


def _run_all(page) -> dict:
    """Run → Run All Cells from the menu bar, then wait until every code cell has run."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    deadline = time.monotonic() + RUN_LIMIT
    while time.monotonic() < deadline:
        state = page.evaluate(STATE)
        done = all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in state["prompts"])
        if state["prompts"] and done:
            return state
        time.sleep(1)
    page.screenshot(path=str(ARTIFACTS / "jupyterlab" / "timed-out.png"))
    pytest.fail(f"the notebook did not finish within {RUN_LIMIT} s; prompts: "
                f"{state['prompts']}")


def _set_language(page, language: str) -> None:
    """Change ``language = "en"`` in the parameters cell as a person does: click at the end
    of its line, delete the value, type the new one."""
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    line = panel.locator(".jp-CodeCell").first.locator(".cm-line",
                                                      has_text=re.compile(r'^language = "'))
    line.click()
    page.keyboard.press("End")
    for _ in range(3):
        page.keyboard.press("Backspace")
    page.keyboard.type(f'{language}"')
    assert line.inner_text().strip() == f'language = "{language}"'


def _screenshot(page, path: Path, language: str) -> None:
    """The notebook scrolled to its key findings, the first thing a reader looks for."""
    page.locator(".jp-OutputArea-output", has_text=label("key_findings", language)).first \
        .scroll_into_view_if_needed()
    page.screenshot(path=str(path))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_notebook_runs_in_jupyterlab_in_english_then_danish(lab, browser, name: str) -> None:
    base, token, project = lab
    before = _tree(ROOT / "configs") | _tree(ROOT / "data")
    notebooks_before = {p.name for p in (project / "notebooks").iterdir()}
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    shots = ARTIFACTS / "jupyterlab"
    shots.mkdir(parents=True, exist_ok=True)
    try:
        # A workspace of its own: no tab of an earlier test comes back with it.
        page.goto(f"{base}/lab/workspaces/{name}/tree/notebooks/{name}.ipynb"
                  f"?reset&token={token}")
        # the notebooks' own kernel starts by itself: no kernel dialog, its name shown
        page.locator(".jp-Toolbar-kernelName", has_text=KERNEL_DISPLAY_NAME).wait_for(
            timeout=90_000)
        english = _run_all(page)
        _screenshot(page, shots / f"{name}-en.png", "en")
        assert english["errors"] == 0, f"{name}: a cell shows an error"
        assert english["warnings"] == [], f"{name}: a cell shows a warning"
        # every figure shows, with its alt text
        assert english["images"] and all(english["images"]), f"{name}: a figure did not render"
        assert label("key_findings", "en") in english["text"]

        _set_language(page, "da")
        danish = _run_all(page)
        _screenshot(page, shots / f"{name}-da.png", "da")
        assert danish["errors"] == 0 and danish["warnings"] == []
        assert danish["images"] and all(danish["images"])
        assert label("key_findings", "da") in danish["text"]
        assert label("key_findings", "en") not in danish["text"]
        if label("synthetic_mark", "en") in english["text"]:
            assert label("synthetic_mark", "da") in danish["text"]
            assert label("synthetic_mark", "en") not in danish["text"]
    finally:
        page.close()
    # nothing written beside the notebooks, nor into the project's configs or data
    assert _tree(ROOT / "configs") | _tree(ROOT / "data") == before
    written = {p.name for p in (project / "notebooks").iterdir()} - notebooks_before
    assert written <= {".ipynb_checkpoints"}, written
