"""``abm app``: start the browser app (``solara run abm.app.page``) with this environment's solara."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

DEFAULT_PORT = 8765
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


def cmd_app(args: argparse.Namespace) -> int:
    from abm.app.session import WORKER_CHOICES

    if not 1 <= args.port <= 65535:
        print(f"error: --port {args.port} is invalid; allowed: 1-65535", file=sys.stderr)
        return 2
    if args.workers is not None and args.workers not in WORKER_CHOICES:
        print(f"error: --workers {args.workers} is invalid; allowed: {', '.join(map(str, WORKER_CHOICES))}", file=sys.stderr)
        return 2
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
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST}; 0.0.0.0 to share on a network)")
    p.add_argument("--workers", type=int, help="the world size every visitor starts with (default 5000; a smaller one "
                                                "serves more visitors at once, see docs/instructors.md)")
    p.add_argument("--dev", action="store_true", help="solara development mode (reload on file changes)")
    p.set_defaults(func=cmd_app)
