"""``abm app``: start the browser app (``solara run abm.app.page``) with this environment's solara."""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from abm.params import ParameterError

DEFAULT_PORT = 8765
MAX_PORT = 65535
DEFAULT_HOST = "127.0.0.1"


def offline_assets_dir() -> Path:
    """Where solara's server looks for its front-end files before asking the CDN."""
    return Path(sys.prefix) / "share" / "solara" / "cdn"


def solara_command(host: str, port: int, *, dev: bool = False) -> list[str]:
    """The command line that serves the app: the solara next to this Python, else ``-m solara``."""
    exe = Path(sys.executable).parent / ("solara.exe" if os.name == "nt" else "solara")
    base = [str(exe)] if exe.exists() else ([shutil.which("solara")] if shutil.which("solara") else [sys.executable, "-m", "solara"])
    cmd = [*base, "run", "abm.app.page", "--host", host, "--port", str(port)]
    if not dev:
        cmd.append("--production")  # no file watcher, no auto-reload, no dev tools
    return cmd


def check_address(host: str, port: int) -> None:
    """The server can listen on ``host:port``: an unknown host or a port in use is a one-line
    :class:`~abm.params.ParameterError` here, not a traceback from the server."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise ParameterError(f"--host {host!r} is invalid ({exc}); allowed: an address of this machine, e.g. "
                             f"{DEFAULT_HOST} or 0.0.0.0") from None
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            raise ParameterError(f"--port {port} on {host} cannot be used ({exc.strerror or exc}); allowed: a free port "
                                 "of this machine, e.g. --port 8800") from None


def cmd_app(args: argparse.Namespace) -> int:
    from abm.app.session import WORKER_CHOICES

    if args.workers is not None and args.workers not in WORKER_CHOICES:
        raise ParameterError(f"--workers {args.workers} is invalid; allowed: {', '.join(map(str, WORKER_CHOICES))}")
    check_address(args.host, args.port)
    cmd = solara_command(args.host, args.port, dev=args.dev)
    if not (offline_assets_dir() / "requirejs@2.3.6").exists():
        print(f"note: no offline front-end files in {offline_assets_dir()}; the page needs internet access "
              "(see docs/app.md, 'Offline set-up')", file=sys.stderr)
    print(f"serving the app at http://{args.host}:{args.port}/  (Ctrl-C to stop)", file=sys.stderr)
    sys.stderr.flush()
    # solara warns on every page load that samesite=none cookies need https: not relevant on localhost
    quiet = "ignore:Cookies with samesite=none:UserWarning"
    env = {**os.environ, "PYTHONWARNINGS": ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))}
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")  # no usage pings: the app must work offline
    if args.workers is not None:
        env["ABM_APP_WORKERS"] = str(args.workers)  # every visitor's world starts at this size
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)  # become the server: signals (Ctrl-C, kill) reach it directly
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("app", help="start the browser app (Solara) on localhost",
                              description="Serve the interactive app: pick a scenario, move parameters, press play. "
                                          "Each browser tab gets its own model.")
    from abm.cli import int_in

    p.add_argument("--port", type=int_in(1, MAX_PORT, what="TCP port"), default=DEFAULT_PORT,
                   help=f"port to listen on (default {DEFAULT_PORT})")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST}; 0.0.0.0 to share on a network)")
    p.add_argument("--workers", type=int, help="the world size every visitor starts with (default 5000; a smaller one "
                                                "serves more visitors at once, see docs/instructors.md)")
    p.add_argument("--dev", action="store_true", help="solara development mode (reload on file changes)")
    p.set_defaults(func=cmd_app)
