"""The snippet library page: every code block of the learner's notes, filtered by text and language."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render

from progress.access import AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.snippets import languages, library

MAX_QUERY = 200


@learner_page()
def snippets(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    language = request.GET.get("lang", "").strip().lower()[:MAX_QUERY]
    every = library(enrollment)
    shown = library(enrollment, query, language) if query or language else every
    context = {
        "enrollment": enrollment,
        "snippets": shown,
        "languages": languages(every),
        "query": query,
        "language": language,
        "total": len(every),
    }
    return render(request, "progress/snippets.html", context)
