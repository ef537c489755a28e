"""The learner's own data: download all of it as one ZIP, or delete the account with everything in it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from progress.access import FORM, PAGE, AuthenticatedHttpRequest, signed_in
from progress.account_deletion import DeletionRefused, delete_account
from progress.data_export import build_zip
from progress.forms.account import ConfirmPasswordForm


@signed_in(PAGE)
def data_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    response = HttpResponse(build_zip(request.user), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="study-plan-data.zip"'
    return response


@signed_in(FORM)
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ConfirmPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        try:
            delete_account(user)
        except DeletionRefused:
            form.add_error(None, _("A reminder email to you is being sent right now. Try again in a minute."))
            return render(request, "progress/account_delete.html", {"form": form}, status=409)
        logout(request)
        messages.success(request, _("Your account and all your data were deleted. A confirmation email is on its way."))
        return redirect("login")
    status = 400 if form.errors else 200
    return render(request, "progress/account_delete.html", {"form": form}, status=status)
