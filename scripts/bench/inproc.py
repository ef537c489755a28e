"""Each page in this process with Django's test client: p50/p99 without HTTP, gunicorn or load in the way."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scripts.bench.load import Target


@dataclass(frozen=True)
class Timing:
    name: str
    p50_ms: float
    p99_ms: float
    queries: int


def request(client: Client, target: Target, n: int) -> int:
    if target.post_bodies:
        body = target.post_bodies[n % len(target.post_bodies)]
        response = client.post(
            target.path, body, content_type="application/x-www-form-urlencoded", headers=target.headers
        )
    else:
        response = client.get(target.path, headers=target.headers)
    return response.status_code


def measure(target: Target, repeat: int, warmup: int = 5) -> Timing:
    client = Client(enforce_csrf_checks=True)
    for i in range(warmup):
        status = request(client, target, i)
        if status != 200:
            raise SystemExit(f"{target.name}: {target.path} answered {status} in process, not 200")
    with CaptureQueriesContext(connection) as queries:
        request(client, target, warmup)
    n_queries = len(queries)  # now: each later request clears the connection's query log
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        request(client, target, i)
        times.append(time.perf_counter() - started)
    cuts = statistics.quantiles(times, n=100)
    return Timing(target.name, cuts[49] * 1000, cuts[98] * 1000, n_queries)


def report(targets: list[Target], repeat: int) -> list[Timing]:
    timings = [measure(t, repeat) for t in targets]
    print(f"\nIn process (Django test client, {repeat} requests each after warm-up):")
    print(f"  {'page':<16} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8}")
    for t in timings:
        print(f"  {t.name:<16} {t.p50_ms:8.2f} {t.p99_ms:8.2f} {t.queries:8d}")
    return timings
