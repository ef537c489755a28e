"""The search page behind the header's search box."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render

from progress.access import AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.search import MAX_QUERY, search


@learner_page()
def search_page(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    context = {"enrollment": enrollment, "query": query, "hits": search(enrollment, query)}
    return render(request, "progress/search.html", context)
