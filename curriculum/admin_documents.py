"""The plan as a document in the admin: import, replace (with a preview), download, versions and restore.

Extra URLs on the plan admin. A document is previewed before anything is written: the preview is made by
`curriculum.changes.match`, the same code the import runs, and carries a signed token holding a hash of the
previewed document and the plan's `version` (new on every change to the plan). Confirming re-checks both,
so a preview of a plan that changed meanwhile is refused, then runs the import itself, which applies the
same progress rules as `import_plan --replace`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from curriculum import document as d
from curriculum.changes import match
from curriculum.document_upload import DocumentForm, NewPlanForm, context_lines, document_view
from curriculum.exporter import checked_export
from curriculum.history import current_document, plan_of, record_admin_change, text_diff
from curriculum.importer import PlanImportError, check_document, import_document
from curriculum.models import Plan, PlanVersion

SALT = "curriculum.plan-document-preview"
PREVIEW_MAX_AGE = 24 * 3600
TEMPLATES = "admin/curriculum/plan/"
STALE = gettext_lazy(
    "The plan changed after this preview was made; nothing was written. Upload the document again for a new preview."
)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def attachment(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.md"'
    return response


class VersionedAdminMixin:
    """Keeps the plan's document as a version after each admin save or delete that changed it."""

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        self._keep(request, plan_of(obj), entry)
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        self._keep(request, plan_of(obj), entry)
        return entry

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        plan = plan_of(obj)
        super().delete_model(request, obj)  # type: ignore[misc]
        if plan is not None and plan.pk is not None and not isinstance(obj, Plan):
            self._keep(
                request, plan, None, _("deleted %(what)s “%(obj)s”") % {"what": obj._meta.verbose_name, "obj": obj}
            )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        plans = [plan for plan in {plan_of(obj) for obj in queryset} if plan is not None]
        super().delete_queryset(request, queryset)  # type: ignore[misc]
        for plan in plans:
            if Plan.objects.filter(pk=plan.pk).exists():
                self._keep(
                    request, plan, None, _("deleted %(what)s") % {"what": queryset.model._meta.verbose_name_plural}
                )

    @staticmethod
    def _keep(request: HttpRequest, plan: Plan | None, entry: Any, summary: str = "") -> None:
        if plan is None:
            return
        if entry is not None:
            what = f"{entry.content_type.name if entry.content_type else ''} “{entry.object_repr}”"
            summary = f"{what}: {entry.get_change_message()}"
        record_admin_change(plan, request.user, summary)


class PlanDocumentsMixin:
    """Document pages for PlanAdmin (a ModelAdmin): see the module docstring."""

    admin_site: Any
    opts: Any

    def get_urls(self) -> list[URLPattern]:
        def wrap(view: Any, upload: bool = False) -> Any:
            return self.admin_site.admin_view(document_view(view, self.too_many) if upload else view)

        # Most specific first: `<path:object_id>` would swallow ".../versions/<id>".
        urls = [
            path("import/", wrap(self.import_view, upload=True), name="curriculum_plan_import"),
            path("confirm/", wrap(self.confirm_view, upload=True), name="curriculum_plan_confirm"),
            path("<path:object_id>/replace/", wrap(self.replace_view, upload=True), name="curriculum_plan_replace"),
            path(
                "<path:object_id>/versions/<int:version_id>/document/",
                wrap(self.version_download_view),
                name="curriculum_plan_version_document",
            ),
            path(
                "<path:object_id>/versions/<int:version_id>/restore/",
                wrap(self.restore_view),
                name="curriculum_plan_restore",
            ),
            path("<path:object_id>/document/", wrap(self.download_view), name="curriculum_plan_document"),
            path("<path:object_id>/versions/", wrap(self.versions_view), name="curriculum_plan_versions"),
        ]
        return urls + super().get_urls()  # type: ignore[misc]

    # --- helpers ---

    def page(self, request: HttpRequest, template: str, status: int = 200, **context: Any) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "opts": self.opts, **context}
        return TemplateResponse(request, TEMPLATES + template, context, status=status)

    def too_many(self, request: HttpRequest) -> HttpResponse:
        message = _("Too many document uploads in the last hour; try again later.")
        return self.page(request, "document_refused.html", status=429, title=_("Try again later"), message=message)

    def plan_for(self, request: HttpRequest, object_id: str, change: bool = False) -> Plan:
        plan = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if plan is None:
            raise Http404
        allowed = self.has_change_permission if change else self.has_view_permission  # type: ignore[attr-defined]
        if not allowed(request, plan):
            raise PermissionDenied
        return plan

    # --- upload, preview, confirm ---

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied
        form = NewPlanForm(request.POST or None, request.FILES or None, request=request)
        if request.method == "POST" and form.is_valid():
            slug, published = form.cleaned_data["slug"], form.cleaned_data["published"]
            return self.preview(request, form, form.cleaned_data["data"], None, slug=slug, published=published)
        return self.page(request, "document_form.html", form=form, title=_("Import a plan from a document"))

    def replace_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        plan = self.plan_for(request, object_id, change=True)
        form = DocumentForm(request.POST or None, request.FILES or None, request=request)
        if request.method == "POST" and form.is_valid():
            return self.preview(request, form, form.cleaned_data["data"], plan)
        title = _("Replace “%(plan)s” from a document") % {"plan": plan}
        return self.page(request, "document_form.html", form=form, original=plan, title=title)

    def restore_view(self, request: HttpRequest, object_id: str, version_id: int) -> HttpResponse:
        plan = self.plan_for(request, object_id, change=True)
        version = plan.versions.filter(pk=version_id).first()
        if version is None or not version.document:
            raise Http404
        form = DocumentForm()
        return self.preview(request, form, version.document.encode("utf-8"), plan, action=PlanVersion.Action.RESTORE)

    def preview(
        self, request: HttpRequest, form: DocumentForm, data: bytes, plan: Plan | None, **options: Any
    ) -> HttpResponse:
        """Parse and check `data`, then show what importing it would change, or why it is refused."""
        slug = plan.slug if plan else options["slug"]
        title = (
            _("Preview: “%(plan)s”") % {"plan": plan} if plan else _("Preview: new plan “%(slug)s”") % {"slug": slug}
        )
        context: dict[str, Any] = {"form": form, "original": plan, "title": title}
        try:
            doc = d.parse_bytes(data)
            check_document(doc, slug)
        except (d.ParseError, PlanImportError) as exc:
            line = exc.line
            text = data.decode("utf-8", errors="replace")
            context["error"] = {
                "message": exc.message,
                "line": line,
                "lines": context_lines(text, line) if line else [],
            }
            return self.page(request, "document_form.html", status=400, **context)
        text = d.render(doc)
        changes = match(plan, doc) if plan else None
        token = {
            "sha": digest(text),
            "plan": plan.pk if plan else None,
            "slug": slug,
            "published": options.get("published", False),
            "action": options.get("action", ""),
            "version": plan.version if plan else "",
        }
        context.update(
            changes=changes,
            counts=doc.counts(),
            document=text,
            token=signing.dumps(token, salt=SALT),
            unchanged=plan is not None and current_document(plan) == text,
        )
        return self.page(request, "document_preview.html", **context)

    @staticmethod
    def _read_token(request: HttpRequest) -> tuple[dict[str, Any], str]:
        token = signing.loads(request.POST.get("token", ""), salt=SALT, max_age=PREVIEW_MAX_AGE)
        # Browsers send form values with CRLF line ends; the previewed document was LF.
        text = request.POST.get("document", "").replace("\r\n", "\n")
        if digest(text) != token["sha"]:
            raise signing.BadSignature("the document is not the one previewed")
        return token, text

    def confirm_view(self, request: HttpRequest) -> HttpResponse:
        return require_POST(self._confirm)(request)

    def _confirm(self, request: HttpRequest) -> HttpResponse:
        try:
            token, text = self._read_token(request)
        except (signing.BadSignature, KeyError):
            return self.refused(request, _("This preview is not valid any more; upload the document again."))
        with transaction.atomic():
            plan = Plan.objects.select_for_update().filter(pk=token["plan"]).first() if token["plan"] else None
            if token["plan"] and plan is None:
                raise Http404
            if not (self.has_change_permission(request, plan) if plan else self.has_add_permission(request)):  # type: ignore[attr-defined]
                raise PermissionDenied
            stale = plan.version != token["version"] if plan else Plan.objects.filter(slug=token["slug"]).exists()
            if stale:
                return self.refused(request, STALE, plan)
            try:
                result = import_document(
                    d.parse(text),
                    token["slug"],
                    replace=plan is not None,
                    published=None if plan else token["published"],
                    author=request.user,
                    action=token["action"],
                )
            except PlanImportError as exc:
                return self.refused(request, exc.message, plan)
        messages.success(request, _("The document was imported: %(summary)s") % {"summary": result.summary()})
        return HttpResponseRedirect(reverse("admin:curriculum_plan_change", args=[result.plan.pk]))

    def refused(self, request: HttpRequest, message: Any, plan: Plan | None = None) -> HttpResponse:
        return self.page(
            request, "document_refused.html", status=409, title=_("Nothing was changed"), message=message, original=plan
        )

    # --- download, versions ---

    def download_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        plan = self.plan_for(request, object_id)
        try:
            text, problem = checked_export(plan)
        except ValueError as exc:
            return self.refused(request, _("This plan cannot be written as a document: %(why)s") % {"why": exc}, plan)
        if problem and "anyway" not in request.GET:
            return self.page(
                request, "document_warning.html", original=plan, problem=problem, title=_("Download the document")
            )
        return attachment(text, plan.slug)

    def versions_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        plan = self.plan_for(request, object_id)
        versions = list(plan.versions.select_related("author"))
        context: dict[str, Any] = {
            "original": plan,
            "versions": versions,
            "title": _("Versions of “%(plan)s”") % {"plan": plan},
        }
        by_id = {str(v.pk): v for v in versions}
        old, new = by_id.get(request.GET.get("old", "")), by_id.get(request.GET.get("new", ""))
        if old and new:
            context.update(old=old, new=new, diff=text_diff(old, new))
        context["can_restore"] = self.has_change_permission(request, plan)  # type: ignore[attr-defined]
        return self.page(request, "versions.html", **context)

    def version_download_view(self, request: HttpRequest, object_id: str, version_id: int) -> HttpResponse:
        plan = self.plan_for(request, object_id)
        version = plan.versions.filter(pk=version_id).first()
        if version is None:
            raise Http404
        return attachment(version.document, f"{plan.slug}-{version.created_at:%Y%m%d-%H%M%S}")
