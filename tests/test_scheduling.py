"""Runs a scheduler can rely on: one run at a time, and a killed run changes nothing."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import write_notebook, write_programme


def _start(config: Path, out: Path, notebooks: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "EXITANALYSIS_NO_PROGRESS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "exitanalysis", "run", str(config), "--out", str(out),
         "--notebooks", str(notebooks), "--jobs", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True,  # its own process group: kernels die with it
    )


def _lock_is_held(out: Path, name: str) -> bool:
    path = out / ".exitanalysis" / "locks" / f"{name}.lock"
    if not path.exists():
        return False
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def _wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def setup(tmp_path: Path):
    config = write_programme(tmp_path / "programme")
    out = tmp_path / "reports"
    quick, slow = tmp_path / "quick", tmp_path / "slow"
    write_notebook(quick, "report", "print('fine')")
    write_notebook(slow, "report", "import time\ntime.sleep(8)\nprint('slow but fine')")
    first = _start(config, out, quick)
    assert first.wait(timeout=120) == 0, first.stderr.read() if first.stderr else ""
    return config, out, quick, slow


def test_two_runs_at_once_one_runs_the_other_exits_3(setup) -> None:
    config, out, _, slow = setup
    running = _start(config, out, slow)
    _wait_for(lambda: _lock_is_held(out, "programme"))
    second = _start(config, out, slow)
    code = second.wait(timeout=60)
    err = second.stderr.read() if second.stderr else ""
    assert code == 3, err
    assert "another run of the report 'programme' is under way" in err
    assert running.wait(timeout=120) == 0


def test_a_killed_run_changes_nothing_and_leaves_no_stuck_lock(setup) -> None:
    config, out, quick, slow = setup
    published = out / "programme"
    before = _snapshot(published)
    running = _start(config, out, slow)
    _wait_for(lambda: _lock_is_held(out, "programme")
              and any((out / ".exitanalysis" / "staging").glob("programme.*/notebooks/*")))
    time.sleep(1.0)  # midway through the slow cell
    os.killpg(running.pid, signal.SIGKILL)
    assert running.wait(timeout=30) == -signal.SIGKILL
    assert _snapshot(published) == before
    assert not _lock_is_held(out, "programme")
    again = _start(config, out, quick)  # the next run works and clears the leftovers
    assert again.wait(timeout=120) == 0
    assert list((out / ".exitanalysis" / "staging").iterdir()) == []


def test_plain_log_lines_when_not_on_a_terminal(setup) -> None:
    config, out, quick, _ = setup
    run = _start(config, out, quick)
    assert run.wait(timeout=120) == 0
    err = run.stderr.read() if run.stderr else ""
    assert "[1/1] report: ok" in err and "published" in err
    assert "\r" not in err  # no progress bar in a log file


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc: Linux, as the CI machine)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_ctrl_c_stops_the_running_notebook_at_once(tmp_path: Path) -> None:
    # Ctrl-C reaches the run, not the kernel (which runs in its own session): without help the
    # run would wait for the cell to finish, here two minutes.
    config = write_programme(tmp_path / "programme")
    out, stuck = tmp_path / "reports", tmp_path / "stuck"
    write_notebook(stuck, "report", "import time\ntime.sleep(120)")
    running = _start(config, out, stuck)
    try:
        _wait_for(lambda: any((out / ".exitanalysis" / "staging").glob(
            "programme.*/notebooks/*")))
        _wait_for(lambda: bool(_children(running.pid)))
        kernels = _children(running.pid)
        time.sleep(1.0)  # inside the long cell
        interrupted = time.monotonic()
        running.send_signal(signal.SIGINT)
        code = running.wait(timeout=60)
        waited = time.monotonic() - interrupted
    finally:
        if running.poll() is None:
            os.killpg(running.pid, signal.SIGKILL)
    err = running.stderr.read() if running.stderr else ""
    assert code == 130, err
    assert "interrupted; nothing was published" in err
    assert waited < 20, f"took {waited:.0f} s to stop"
    assert not (out / "programme").exists()
    assert not _lock_is_held(out, "programme")
    assert list((out / ".exitanalysis" / "staging").iterdir()) == []
    _wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in kernels), timeout=10)
