"""The instructor's pages, under /instructor/: one plan's cohort, its export, its days, a learner, a nudge,
and the learner pages as a preview (progress.preview_urls)."""

from __future__ import annotations

from django.urls import include, path

from progress.views import cohort, cohort_learner, nudge

app_name = "instructor"

urlpatterns = [
    path("", cohort.index, name="index"),
    path("plans/<slug:slug>/", cohort.cohort_page, name="cohort"),
    path("plans/<slug:slug>/cohort.csv", cohort.cohort_csv, name="cohort_csv"),
    path("plans/<slug:slug>/days/", cohort.days_page, name="days"),
    path("plans/<slug:slug>/learners/<int:pk>/", cohort_learner.learner, name="learner"),
    path("plans/<slug:slug>/nudge/", nudge.nudge, name="nudge"),
    path("plans/<slug:slug>/preview/", include("progress.preview_urls")),
]
