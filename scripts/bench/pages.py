"""`pages`: every learner page under gunicorn, as a ratio of a bare Django view served the same way."""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
from dataclasses import dataclass

from django.urls import reverse

from scripts.bench import inproc, load
from scripts.bench.db import var_dir
from scripts.bench.learner import Learner, make_learner
from scripts.bench.load import Result, Target
from scripts.bench.serve import Server, gunicorn

BARE = Target("bare", "/")


def targets(learner: Learner) -> list[Target]:
    """The pages of the suite, in the order they are run, for this learner."""
    cookie = {"Cookie": learner.cookie_header}
    n = learner.day_number
    return [
        Target("today", reverse("progress:today"), cookie),
        Target("calendar", reverse("progress:calendar"), cookie),
        Target("calendar-htmx", reverse("progress:calendar"), {**cookie, "HX-Request": "true"}),
        Target("day", reverse("progress:day", args=[n]), cookie),
        Target("plan", reverse("progress:plan"), cookie),
        Target("progress", reverse("progress:progress"), cookie),
        Target("notes-export", reverse("progress:notes_export"), cookie),
        Target("ics", reverse("progress:calendar_feed", args=[learner.enrollment.calendar_token])),
        Target(
            "tick",
            reverse("progress:toggle_task", args=[n, learner.task_id]),
            {**cookie, "X-CSRFToken": learner.csrf_secret, "HX-Request": "true"},
            post_bodies=("done=1", ""),
        ),
    ]


def select(all_targets: list[Target], names: str) -> list[Target]:
    if not names:
        return all_targets
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    known = {t.name: t for t in all_targets}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise SystemExit(f"unknown page(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    return [known[n] for n in wanted]


def check(server: Server, target: Target) -> None:
    """One request first: a redirect to the log-in page or a CSRF failure would measure the wrong thing."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    body = target.post_bodies[0] if target.post_bodies else None
    headers = {**target.headers, **({"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {})}
    conn.request("POST" if body is not None else "GET", target.path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"{target.name}: {target.path} answered {response.status} under gunicorn, not 200")


@dataclass(frozen=True)
class Row:
    target: Target
    result: Result
    bare_rps: float

    @property
    def ratio(self) -> float:
        return self.result.rps / self.bare_rps


def alternate(bare: Server, site: Server, pages: list[Target], seconds: float) -> tuple[list[Row], list[Result]]:
    """bare, page 1, bare, page 2, ..., bare: each page is compared with the mean of the bare runs around it."""
    bares = [load.run(bare.base, BARE, seconds)]
    rows = []
    for target in pages:
        result = load.run(site.base, target, seconds)
        bares.append(load.run(bare.base, BARE, seconds))
        rows.append(Row(target, result, statistics.mean(r.rps for r in bares[-2:])))
    return rows, bares


def print_rows(rows: list[Row], bares: list[Result], seconds: float) -> None:
    tool = "wrk" if load.have_wrk() else "Python load generator (wrk not installed)"
    print(f"\nUnder gunicorn (2 sync workers), {tool} -t{load.THREADS} -c{load.CONNECTIONS} -d{seconds:g}s,")
    print("alternating bare / page / bare; ratio = page req/s over the mean of the two bare runs around it:")
    print(f"  {'page':<16} {'req/s':>9} {'bare req/s':>11} {'ratio':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for row in rows:
        r = row.result
        flag = f"  ({r.bad} bad answers of {r.requests})" if r.bad else ""
        print(
            f"  {row.target.name:<16} {r.rps:9.1f} {row.bare_rps:11.1f} {row.ratio:8.2%} "
            f"{r.p50_ms:8.2f} {r.p99_ms:8.2f}{flag}"
        )
    b = [r.rps for r in bares]
    print(f"  bare runs: {len(b)}, req/s min {min(b):.0f} / mean {statistics.mean(b):.0f} / max {max(b):.0f}")


def run(args: argparse.Namespace, env: dict[str, str]) -> None:
    learner = make_learner()
    pages = select(targets(learner), args.pages)
    seconds = args.seconds or (2 if args.quick else 10)
    print(f"Learner on plan day {learner.day_number}; load average {os.getloadavg()[0]:.2f} at start")
    if not args.no_http:
        with (
            gunicorn("bare", "scripts.bench.bare:application", env, var_dir()) as bare,
            gunicorn("project", "config.wsgi", env, var_dir()) as site,
        ):
            for target in pages:
                check(site, target)
            # Warm-up, not measured: both workers of each server load their code and templates.
            for target in [BARE, *pages]:
                load.run((bare if target is BARE else site).base, target, 1 if args.quick else 2)
            rows, bares = alternate(bare, site, pages, seconds)
        print_rows(rows, bares, seconds)
        print(f"Load average {os.getloadavg()[0]:.2f} at the end")
    if args.inproc or args.no_http:
        inproc.report(pages, 20 if args.quick else 200)
