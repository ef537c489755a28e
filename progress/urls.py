from __future__ import annotations

from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("", views.today, name="today"),
]

# Daily reminder emails: the signed link in List-Unsubscribe (progress.unsubscribe).
from progress import unsubscribe as _unsubscribe  # noqa: E402

urlpatterns += [path("unsubscribe/<str:token>/", _unsubscribe.unsubscribe, name="unsubscribe")]
