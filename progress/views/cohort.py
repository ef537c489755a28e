"""The instructor's pages of one plan: the cohort table, its CSV export, and where the plan loses people."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from curriculum.models import Plan
from progress import dropoff
from progress.access import AuthenticatedHttpRequest
from progress.cohort import Learner, cohort, select
from progress.forms.cohort import CohortFilterForm
from progress.instructors import instructor_page, instructors_only, visible_plans

PER_PAGE = 50
SORTABLE = [
    ("name", gettext_lazy("Learner")),
    ("start", gettext_lazy("Start date")),
    ("percent", gettext_lazy("Done")),
    ("behind", gettext_lazy("Days behind")),
    ("day", gettext_lazy("Study day")),
    ("streak", gettext_lazy("Streak")),
    ("activity", gettext_lazy("Last activity")),
]


@instructors_only()
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    plans = visible_plans(request.user).order_by("title")
    return render(request, "instructor/index.html", {"plans": plans})


def _selected(request: AuthenticatedHttpRequest, plan: Plan) -> tuple[CohortFilterForm, list[Learner], int]:
    """The filter form, the learners it keeps in its order, and the cohort's size."""
    form = CohortFilterForm(request.GET)
    everyone = cohort(plan).learners
    return form, select(everyone, form.filters(), form.order()), len(everyone)


@instructor_page()
def cohort_page(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    form, rows, size = _selected(request, plan)
    context = {
        "plan": plan,
        "form": form,
        "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
        "matching": len(rows),
        "size": size,
        "sort": form.order(),
        "columns": SORTABLE,
    }
    # htmx (sorting, filtering, paging) swaps just the table; without JavaScript the links load the page.
    template = "instructor/cohort.html#table" if request.htmx else "instructor/cohort.html"
    return render(request, template, context)


class _Line:
    """csv.writer's file: hands each written line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: list[Learner]) -> Iterator[str]:
    """The cohort table as CSV lines, a BOM first so spreadsheet programs read the UTF-8 (Chinese names)."""
    writer = csv.writer(_Line())
    yield "\ufeff"
    yield writer.writerow(
        [
            _("Learner"),
            _("Username"),
            _("Start date"),
            _("Done (%)"),
            _("Days behind"),
            _("Study day"),
            _("Streak"),
            _("Last activity"),
            _("Paused"),
            _("Finished"),
            _("Reminders"),
            _("Last reminder"),
        ]
    )
    for row in rows:
        yield writer.writerow(
            [
                row.name,
                row.enrollment.user.get_username(),
                row.enrollment.start_date.isoformat(),
                row.percent,
                row.days_behind,
                row.current_day,
                row.streak,
                row.last_activity.isoformat() if row.last_activity else "",
                int(row.paused),
                int(row.finished),
                int(row.enrollment.reminders_enabled),
                row.last_reminder,
            ]
        )


@instructor_page()
def cohort_csv(request: AuthenticatedHttpRequest, plan: Plan) -> StreamingHttpResponse:
    _form, rows, _size = _selected(request, plan)
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cohort-{plan.slug}.csv"'
    return response


@instructor_page()
def days_page(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    c = cohort(plan)
    figures = dropoff.day_figures(c)
    drops = dropoff.largest_drops(figures)
    context = {
        "plan": plan,
        "size": len(c.learners),
        "figures": figures,
        "chart": dropoff.chart(figures),
        "drops": drops,
    }
    return render(request, "instructor/days.html", context)
