"""Drive one URL for a while and report requests/s and latency: wrk, or a small Python generator without it."""

from __future__ import annotations

import http.client
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"
THREADS, CONNECTIONS = 2, 16


@dataclass(frozen=True)
class Target:
    """What to request: a GET with headers, or (with `post_bodies`) POSTs cycling through those bodies."""

    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    post_bodies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx/3xx answers and socket errors: a run with any is not a measurement of the page


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def run(base: str, target: Target, seconds: float) -> Result:
    return run_wrk(base, target, seconds) if have_wrk() else run_python(base, target, seconds)


def _wrk_script(target: Target) -> Path:
    report = (LUA / "report.lua").read_text()
    body = (LUA / "tick.lua").read_text() + "\n" + report if target.post_bodies else report
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(body)
    return Path(f.name)


def run_wrk(base: str, target: Target, seconds: float) -> Result:
    script = _wrk_script(target)
    # --timeout: wrk's default of 2 s would drop the slowest answers of a loaded page from the latencies.
    cmd = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--timeout", "60s", "-s", str(script)]
    for name, value in target.headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(base + target.path)
    if target.post_bodies:  # tick.lua's arguments: path, Cookie header, CSRF token
        cmd += ["--", target.path, target.headers["Cookie"], target.headers["X-CSRFToken"]]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout  # noqa: S603
    finally:
        script.unlink()
    m = re.search(r"BENCH (.*)", out)
    if m is None:
        raise SystemExit(f"wrk printed no report:\n{out}")
    v = {k: int(x) for k, x in (kv.split("=") for kv in m.group(1).split())}
    return Result(
        rps=v["requests"] / (v["duration_us"] / 1e6),
        p50_ms=v["p50_us"] / 1000,
        p99_ms=v["p99_us"] / 1000,
        requests=v["requests"],
        bad=v["non2xx"] + v["errors"],
    )


# --- Fallback: the same shape of load from Python (2 processes x 8 keep-alive connections) ---------------


def _connection_loop(port: int, target: Target, until: float, out: list[tuple[float, int]]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n = 0
    while time.monotonic() < until:
        body = target.post_bodies[n % len(target.post_bodies)] if target.post_bodies else None
        started = time.perf_counter()
        try:
            conn.request("POST" if body is not None else "GET", target.path, body=body, headers=target.headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except OSError:
            conn.close()
            status = 0
        out.append((time.perf_counter() - started, status))
        n += 1


def _process(port: int, target: Target, until: float, connections: int) -> list[tuple[float, int]]:
    results: list[list[tuple[float, int]]] = [[] for _ in range(connections)]
    threads = [threading.Thread(target=_connection_loop, args=(port, target, until, r)) for r in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [x for r in results for x in r]


def run_python(base: str, target: Target, seconds: float) -> Result:
    port = int(base.rsplit(":", 1)[1])
    started = time.monotonic()
    until = started + seconds
    with ProcessPoolExecutor(THREADS) as pool:
        parts = pool.map(_process, *zip(*[(port, target, until, CONNECTIONS // THREADS)] * THREADS, strict=True))
        samples = [x for p in parts for x in p]
    elapsed = time.monotonic() - started
    times = sorted(t for t, _ in samples)
    cuts = statistics.quantiles(times, n=100) if len(times) > 1 else (times or [0.0]) * 99
    return Result(
        rps=len(samples) / elapsed,
        p50_ms=cuts[49] * 1000,
        p99_ms=cuts[98] * 1000,
        requests=len(samples),
        bad=sum(1 for _, s in samples if not 200 <= s < 400),
    )
