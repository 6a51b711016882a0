"""Classroom load test: N simulated visitors play lessons against one ``abm app`` (a benchmark, not a test).

    .venv/bin/python benchmarks/classroom_load.py --visitors 30            # starts its own server
    .venv/bin/python benchmarks/classroom_load.py --visitors 30 --url http://127.0.0.1:8765/

Each visitor is a websocket client on 127.0.0.1 that speaks to the Solara server the way the
browser does (Jupyter widget messages): it loads the page, picks a lesson (the lessons in turn),
keeps the default size (5,000 workers) and speed (6 months a second), presses Play and watches the
month counter and the charts. No browser draws anything here: this measures what one server can
serve, as in a class where every student's own laptop renders the charts. Visitors join a little
apart (``--ramp`` seconds in all), play for ``--seconds`` (or until the run ends), and the benchmark
records per visitor: redraws a second (new months shown), months a second, the worst gap between two
redraws, and how long a click on Play took to show the first new month; and for the server: its
memory (RSS) and CPU. A visitor "keeps up" when it sees at least one redraw a second on average
while it plays; the stricter ``no_gap_over_1s`` counts visitors who never waited more than a
second for the next redraw.

Results go to ``benchmarks/results/classroom_load.jsonl`` (one line per run, with the machine's
load average at the start: the project's machine is shared, say so when quoting the numbers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "classroom_load.jsonl"
SERVER_LOG = Path(tempfile.gettempdir()) / "abm-classroom-load-server.log"
MONTH = re.compile(r"month (\d+) of (\d+)")


def _message(msg_type: str, content: dict, session: str, channel: str = "shell") -> str:
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "visitor", "session": session,
              "date": time.strftime("%Y-%m-%dT%H:%M:%S"), "version": "5.3"}
    return json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content,
                       "channel": channel, "buffers": []})


def _decode(raw) -> dict:
    if isinstance(raw, str):
        return json.loads(raw)
    from solara.server.kernel import deserialize_binary_message

    return deserialize_binary_message(raw)


@dataclass
class Visitor:
    """One simulated student: the widgets it knows and what it saw."""

    index: int
    lesson: str
    states: dict[str, dict] = field(default_factory=dict)  # comm id → widget state
    months: list[tuple[float, int]] = field(default_factory=list)  # (time, month) of every new month shown
    chart_updates: int = 0
    play_clicked: float | None = None
    first_redraw: float | None = None
    horizon: int = 0
    error: str | None = None

    def find(self, cls: str, key: str = "class_") -> str | None:
        """The comm id of the (last) widget whose class list holds ``cls``."""
        found = None
        for comm_id, state in self.states.items():
            value = state.get(key) if key != "attributes" else (state.get("attributes") or {}).get("class")
            if isinstance(value, str) and cls in value.split():
                found = comm_id
        return found

    def on_state(self, comm_id: str, state: dict, now: float) -> None:
        self.states.setdefault(comm_id, {}).update(state)
        html = state.get("unsafe_innerHTML")
        if isinstance(html, str) and "abm-month-count" in html:
            m = MONTH.search(html)
            if m:
                month, self.horizon = int(m.group(1)), int(m.group(2))
                if not self.months or self.months[-1][1] != month:
                    self.months.append((now, month))
                    if self.play_clicked is not None and self.first_redraw is None and month > 0:
                        self.first_redraw = now
        if "values" in state:
            self.chart_updates += 1

    def summary(self, until: float) -> dict:
        played = [(t, m) for t, m in self.months if self.play_clicked is not None and t >= self.play_clicked and m > 0]
        out = {"visitor": self.index, "lesson": self.lesson, "error": self.error, "redraws": len(played)}
        if len(played) < 2:
            out.update(redraws_per_s=0.0, months_per_s=0.0, worst_gap_s=None, keeps_up=False, no_gap_over_1s=False)
            return out
        span = played[-1][0] - played[0][0]
        gaps = [b[0] - a[0] for a, b in zip(played, played[1:])]
        if played[-1][1] < self.horizon:  # still running at the end: the time since the last redraw is a gap too
            gaps.append(until - played[-1][0])
        out.update(redraws_per_s=round((len(played) - 1) / span, 2) if span > 0 else 0.0,
                   months_per_s=round((played[-1][1] - played[0][1]) / span, 2) if span > 0 else 0.0,
                   worst_gap_s=round(max(gaps), 2), first_redraw_s=round(self.first_redraw - self.play_clicked, 2)
                   if self.first_redraw else None, last_month=played[-1][1],
                   keeps_up=span > 0 and (len(played) - 1) / span >= 1.0, no_gap_over_1s=max(gaps) <= 1.0)
        return out


async def visit(v: Visitor, url: str, start_at: float, seconds: float, stop: asyncio.Event) -> None:
    """Load the page, pick the lesson, press Play, and watch until ``seconds`` or the end of the run."""
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    host = url.split("//", 1)[1].rstrip("/")
    with urllib.request.urlopen(url, timeout=30) as r:  # the page: sets the session cookie
        cookie = "; ".join(c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") or [])
    kernel, page, session = str(uuid.uuid4()), str(uuid.uuid4()), uuid.uuid4().hex
    ws_url = f"ws://{host}/jupyter/api/kernels/{kernel}/channels?session_id={page}"
    try:
        async with websockets.connect(ws_url, additional_headers={"Cookie": cookie}, max_size=None,
                                      open_timeout=60, ping_interval=None) as ws:
            control = uuid.uuid4().hex
            await ws.send(_message("comm_open", {"comm_id": control, "target_name": "solara.control", "data": {}}, session))
            await ws.send(_message("comm_msg", {"comm_id": control, "data": {"method": "run", "args": {"path": "", "appName": "__default__"}}}, session))

            async def receive():
                async for raw in ws:
                    msg = _decode(raw)
                    now = time.monotonic()
                    kind = msg.get("msg_type") or msg["header"]["msg_type"]
                    content = msg.get("content", {})
                    if kind == "comm_open":
                        v.on_state(content["comm_id"], content.get("data", {}).get("state", {}), now)
                    elif kind == "comm_msg" and content.get("data", {}).get("method") == "update":
                        v.on_state(content["comm_id"], content["data"].get("state", {}), now)

            reader = asyncio.create_task(receive())

            async def wait_for(predicate, timeout: float) -> bool:
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    if predicate():
                        return True
                    await asyncio.sleep(0.05)
                return False

            async def update(comm_id: str, state: dict) -> None:
                await ws.send(_message("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": state, "buffer_paths": []}}, session))

            async def click(comm_id: str) -> None:
                await ws.send(_message("comm_msg", {"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "click", "data": {}}}}, session))

            if not await wait_for(lambda: v.find("abm-scenario") and v.find("abm-play") and v.months, 120):
                raise RuntimeError("the page did not load within 120 s")
            select = v.find("abm-scenario")
            title = next(t for t in v.states[select].get("items", []) if t.startswith(v.lesson))
            await update(select, {"v_model": title})
            if not await wait_for(lambda: v.find("abm-lesson-question", "attributes"), 60):
                raise RuntimeError("the lesson did not open within 60 s")
            await asyncio.sleep(0.5)
            v.play_clicked = time.monotonic()
            await click(v.find("abm-play"))
            await wait_for(lambda: stop.is_set() or (v.months and v.months[-1][1] >= v.horizon > 0), seconds)
            reader.cancel()
        # the visitor closes the tab: the browser tells the server (Solara's unload beacon)
        req = urllib.request.Request(f"{url}_solara/api/close/{kernel}?session_id={page}", method="POST",
                                     headers={"Cookie": cookie})
        await asyncio.to_thread(urllib.request.urlopen, req, None, 30)
    except Exception as exc:  # noqa: BLE001 - a failed visitor is a result, not a crash of the benchmark
        v.error = f"{type(exc).__name__}: {exc}"


def _rss_mb(pid: int) -> float:
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(url: str, visitors: int, seconds: float, ramp: float, server_pid: int | None) -> dict:
    lessons = [f"Lesson {i}" for i in range(1, 6)]
    crowd = [Visitor(i, lessons[i % len(lessons)]) for i in range(visitors)]
    stop = asyncio.Event()
    t0 = time.monotonic()
    samples: list[tuple[float, float]] = []

    async def watch_server():
        while not stop.is_set():
            if server_pid:
                samples.append((_rss_mb(server_pid), _cpu_seconds(server_pid)))
            await asyncio.sleep(1.0)

    watcher = asyncio.create_task(watch_server())
    cpu0 = _cpu_seconds(server_pid) if server_pid else 0.0
    tasks = [asyncio.create_task(visit(v, url, t0 + ramp * i / max(visitors, 1), seconds, stop)) for i, v in enumerate(crowd)]
    await asyncio.gather(*tasks)
    end = time.monotonic()
    stop.set()
    await watcher
    results = [v.summary(end) for v in crowd]
    ok = [r for r in results if not r["error"]]
    rates = [r["redraws_per_s"] for r in ok]
    return {
        "visitors": visitors, "keep_up": sum(r["keeps_up"] for r in ok),
        "no_gap_over_1s": sum(r["no_gap_over_1s"] for r in ok), "errors": [r["error"] for r in results if r["error"]],
        "redraws_per_s_median": round(statistics.median(rates), 2) if rates else None,
        "redraws_per_s_min": min(rates, default=None),
        "months_per_s_median": round(statistics.median([r["months_per_s"] for r in ok]), 2) if ok else None,
        "worst_gap_s_median": round(statistics.median([r["worst_gap_s"] for r in ok if r["worst_gap_s"] is not None]), 2)
        if ok else None,
        "first_redraw_s_median": round(statistics.median([r["first_redraw_s"] for r in ok if r.get("first_redraw_s")]), 2)
        if any(r.get("first_redraw_s") for r in ok) else None,
        "server_rss_mb_max": round(max((s[0] for s in samples), default=0.0)),
        "server_cpu_share": round((_cpu_seconds(server_pid) - cpu0) / (end - t0), 2) if server_pid else None,
        "seconds": round(end - t0, 1), "per_visitor": results,
    }


def _start_server(app_workers: int) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from abm.app.cli import solara_command

    log = open(SERVER_LOG, "w")
    env = {**os.environ, "ABM_APP_WORKERS": str(app_workers), "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"}
    proc = subprocess.Popen(solara_command("127.0.0.1", port), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(400):
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    sys.exit(f"the app server did not start (see {SERVER_LOG})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--visitors", type=int, nargs="+", default=[30], help="visitors at once (several: one run each)")
    ap.add_argument("--seconds", type=float, default=40.0, help="how long each visitor plays (default 40; the run ends at 26 s at full speed)")
    ap.add_argument("--ramp", type=float, default=10.0, help="seconds over which the visitors join (default 10)")
    ap.add_argument("--url", help="an abm app already running (default: start one)")
    ap.add_argument("--app-workers", type=int, default=5000, help="world size of the started server (abm app --workers)")
    ap.add_argument("--note", default="", help="measurement conditions to record with the result")
    args = ap.parse_args(argv)
    for n in args.visitors:
        proc, url = (None, args.url) if args.url else _start_server(args.app_workers)
        try:
            load = os.getloadavg()
            result = asyncio.run(run(url, n, args.seconds, args.ramp, proc.pid if proc else None))
        finally:
            if proc:
                proc.terminate()
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        result.update(date=time.strftime("%Y-%m-%d %H:%M"), cpus=os.cpu_count(), loadavg_before=[round(x, 2) for x in load],
                      note=args.note, workers=args.app_workers if not args.url else None, speed="6 months/s")
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with RESULTS.open("a") as f:
            f.write(json.dumps(result) + "\n")
        brief = {k: v for k, v in result.items() if k != "per_visitor"}
        print(json.dumps(brief))
    return 0


if __name__ == "__main__":
    sys.exit(main())
