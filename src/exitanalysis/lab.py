"""``make lab``: JupyterLab on the project with the project's kernel, and the URL to open.

``python -m exitanalysis.lab [--port N] [--root DIR] [--no-browser] [-- extra jupyter args]``

It installs the kernel "Python (exitanalysis)" into this environment (the notebooks' default
kernel), picks a free port on the loopback address and a fresh token, prints the URL to open,
and then becomes ``jupyter lab``. The browser test (``tests/test_jupyterlab.py``) starts
JupyterLab through this same module.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from .data import paths

#: The notebooks' kernel: its name in their metadata, and what JupyterLab shows.
KERNEL_NAME = "exitanalysis"
KERNEL_DISPLAY_NAME = "Python (exitanalysis)"


def install_kernel(prefix: str | None = None) -> Path:
    """Install (or refresh) the project's kernel for this interpreter under ``prefix``
    (default: this environment, ``sys.prefix``); returns its folder."""
    from ipykernel.kernelspec import install

    folder = install(kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME,
                     prefix=prefix or sys.prefix)
    return Path(folder)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on now (the OS's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def lab_url(port: int, token: str, path: str = "notebooks") -> str:
    return f"http://127.0.0.1:{port}/lab/tree/{path}?token={token}"


def lab_command(root: Path, port: int, token: str, *, open_browser: bool,
                extra: Sequence[str] = ()) -> list[str]:
    """The ``jupyter lab`` command line: loopback only, this port or none (so the printed URL
    is the right one), this token."""
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    command = [jupyter, "lab", f"--ServerApp.root_dir={root}", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}"]
    if not open_browser:
        command.append("--no-browser")
    if os.geteuid() == 0:  # containers often run as root; JupyterLab refuses without this
        command.append("--allow-root")
    return [*command, *extra]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m exitanalysis.lab",
        description="Start JupyterLab on the project with the kernel 'Python (exitanalysis)' "
        "and print the URL to open. Notebooks opened from notebooks/ run the bundled example "
        "as they are; they write no figures or tables unless figures_dir and tables_dir are "
        "set in their parameters cell.")
    parser.add_argument("--port", type=int, default=None,
                        help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--root", default=None,
                        help="folder JupyterLab shows (default: the project)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("extra", nargs="*", help="further jupyter lab options, after --")
    args = parser.parse_args(argv)
    install_kernel()
    root = Path(args.root).resolve() if args.root else paths.project_root()
    port = args.port or free_port()
    token = os.environ.get("EXITANALYSIS_LAB_TOKEN") or secrets.token_hex(24)
    print(f"JupyterLab with the kernel '{KERNEL_DISPLAY_NAME}': open\n"
          f"    {lab_url(port, token)}\n"
          "(Ctrl-C twice stops it.)", flush=True)
    command = lab_command(root, port, token, open_browser=not args.no_browser,
                          extra=args.extra)
    os.execv(command[0], command)
    return 0  # not reached: execv replaces this process


if __name__ == "__main__":
    sys.exit(main())
