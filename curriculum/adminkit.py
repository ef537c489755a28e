"""Admin building blocks for editing ordered trees of rows on one page, in a fixed number of queries.

Django admin gives inlines for direct children only, loads every foreign-key select once per inline row,
and checks uniqueness row by row against the database, which makes swapping two positions impossible.
The pieces here fix those three things for the curriculum admin:

- `PreloadedModelChoiceField` + `PreloadChoicesFormSetMixin`: a select limited to the parent's rows,
  loaded once per formset and shared by every row (choices and validation), never once per row.
- `OrderedFormSetMixin`: positions are unique among the submitted rows (the formset holds all siblings),
  and saving parks moved rows on temporary positions first (`curriculum.positions.park`), so swaps and
  rotations save cleanly.
- `ScopedInline`: an inline over grandchildren (a day's tasks, a plan's resources), each with a select
  limited to the parent's children (the day's sessions, the plan's resource sections).
- `protected_summary` / `ProtectedDeleteFormMixin` / `RefuseProtectedDeletesMixin`: deleting rows that
  learners have progress on (PROTECT) is refused with one clear message, on the delete page, in the delete
  action and for an inline row marked for deletion, never a cascade and never a 500.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.checks import InlineModelAdminChecks
from django.contrib.admin.utils import NestedObjects, flatten_fieldsets
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, router
from django.forms.formsets import DELETION_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from curriculum.positions import MAX_POSITION, park

ChoicesFor = Callable[[models.Model], "models.QuerySet[Any]"]


# --- refusing deletes of rows learners depend on -------------------------------------------------------


def protected_summary(objs: Iterable[models.Model]) -> str:
    """'' if `objs` can be deleted, else what stops it, counted per kind ("3 task completions, 1 day note")."""
    objs = list(objs)
    if not objs:
        return ""
    collector = NestedObjects(using=router.db_for_write(type(objs[0])))
    collector.collect(objs)
    if not collector.protected:
        return ""
    counts = Counter(type(obj) for obj in collector.protected)
    parts = [
        f"{n} {model._meta.verbose_name if n == 1 else model._meta.verbose_name_plural}"
        for model, n in sorted(counts.items(), key=lambda item: str(item[0]._meta.verbose_name))
    ]
    return ", ".join(parts)


def protected_message(obj: models.Model, summary: str) -> str:
    return str(
        _("“%(obj)s” cannot be deleted: learners have progress on it (%(summary)s). Edit it instead.")
        % {"obj": obj, "summary": summary}
    )


class ProtectedDeleteFormMixin:
    """An inline row marked for deletion is refused, as a validation error, when learners depend on it.

    Django's admin calls `hand_clean_DELETE` from `is_valid`; the formset turns the error into a message
    above the inline instead of letting `formset.save()` raise ProtectedError.
    """

    cleaned_data: dict[str, Any]
    instance: models.Model

    def hand_clean_DELETE(self) -> None:
        if not self.cleaned_data.get(DELETION_FIELD_NAME) or self.instance._state.adding:
            return
        summary = protected_summary([self.instance])
        if summary:
            raise ValidationError(protected_message(self.instance, summary), code="deleting_protected")


class RefuseProtectedDeletesMixin:
    """For ModelAdmins: a short summary of what blocks a delete, and no 500 if a save would break PROTECT."""

    def get_deleted_objects(self, objs: Iterable[models.Model], request: HttpRequest) -> Any:
        objs = list(objs)
        refusals = [protected_message(obj, summary) for obj in objs if (summary := protected_summary([obj]))]
        if refusals:
            # One counted line per blocked row. Django's own list would name (and fetch, one query each)
            # every learner's tick: thousands of lines and queries on a plan with many learners.
            return [], {}, set(), refusals
        return super().get_deleted_objects(objs, request)  # type: ignore[misc]

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        # Validation catches every case we know of; this is the net for a concurrent edit between
        # validation and save: the transaction is rolled back and the editor gets a message, not a 500.
        try:
            response: HttpResponse = super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        except (models.ProtectedError, IntegrityError):
            messages.error(
                request,
                _(
                    "Nothing was saved: the change conflicts with learners' progress or with another edit "
                    "made meanwhile. Reload the page and try again."
                ),
            )
            return HttpResponseRedirect(request.get_full_path())
        return response


# --- selects loaded once per formset --------------------------------------------------------------------


class PreloadedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose rows are handed over once (`preload`), so rendering and validating a row
    costs no query. Until preloaded it offers nothing, so an unscoped list can never leak."""

    def preload(self, objects: Sequence[models.Model]) -> None:
        self._by_pk = {str(obj.pk): obj for obj in objects}
        self.choices = [("", self.empty_label or ""), *((obj.pk, self.label_from_instance(obj)) for obj in objects)]

    def to_python(self, value: Any) -> models.Model | None:
        if value in self.empty_values:
            return None
        obj = getattr(self, "_by_pk", {}).get(str(getattr(value, "pk", value)))
        if obj is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return obj


class PreloadChoicesFormSetMixin:
    """Loads each `choices_for` select once for the whole formset, from the parent instance.

    `choices_for` maps a field name to (function parent -> queryset, prefix of the inline on the same page
    that edits those rows, or None). A row may not be moved onto a choice that the same save deletes.
    """

    choices_for: dict[str, tuple[ChoicesFor, str | None]] = {}
    instance: models.Model
    data: Any
    forms: list[Any]
    deleted_forms: list[Any]

    def _preloaded(self) -> dict[str, list[models.Model]]:
        if not hasattr(self, "_preloaded_cache"):
            parent = getattr(self, "instance", None)
            self._preloaded_cache = {
                name: list(get(parent)) if parent is not None and parent.pk else []
                for name, (get, _prefix) in self.choices_for.items()
            }
        return self._preloaded_cache

    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)  # type: ignore[misc]
        for name, objects in self._preloaded().items():
            field = form.fields.get(name)
            if isinstance(field, PreloadedModelChoiceField):
                field.preload(objects)

    def _deleted_pks(self, prefix: str) -> set[str]:
        data = self.data or {}
        total = data.get(f"{prefix}-TOTAL_FORMS", "0")
        # isascii: "²".isdigit() is true but int("²") fails; a garbled count is the management form's error.
        count = int(total) if str(total).isascii() and str(total).isdecimal() else 0
        return {
            str(data.get(f"{prefix}-{i}-id"))
            for i in range(min(count, 1000))
            if data.get(f"{prefix}-{i}-{DELETION_FIELD_NAME}") and data.get(f"{prefix}-{i}-id")
        }

    def clean(self) -> None:
        super().clean()  # type: ignore[misc]
        for name, (_get, prefix) in self.choices_for.items():
            if not prefix:
                continue
            going = self._deleted_pks(prefix)
            if not going:
                continue
            for form in self.forms:
                target = getattr(form, "cleaned_data", {}).get(name)
                if form in self.deleted_forms or not form.has_changed() or target is None:
                    continue
                if str(target.pk) in going:
                    form.add_error(name, _("“%(target)s” is being deleted in this save.") % {"target": target})


# --- positions that can be swapped ----------------------------------------------------------------------


class SiblingFormMixin:
    """Uniqueness of (parent, position) is checked by the formset over all siblings at once, not by each
    row against the database (which would refuse every swap, since the other row still holds the spot)."""

    checked_by_formset = False

    def validate_unique(self) -> None:
        if not self.checked_by_formset:
            super().validate_unique()  # type: ignore[misc]

    def validate_constraints(self) -> None:
        if not self.checked_by_formset:
            super().validate_constraints()  # type: ignore[misc]


class OrderedFormSetMixin:
    """Formset over ALL children of one parent, ordered by `order_fields` (e.g. ("session", "position")).

    Saving first parks the rows that move or go (`park`, one UPDATE), so the
    immediate unique constraint never sees two rows on one spot halfway through a reorder.
    """

    order_field = "position"
    model: Any
    initial_forms: list[Any]
    deleted_forms: list[Any]

    def add_fields(self, form: forms.ModelForm[Any], index: int | None) -> None:
        super().add_fields(form, index)  # type: ignore[misc]
        form.checked_by_formset = True  # type: ignore[attr-defined]

    def save_existing_objects(self, commit: bool = True) -> list[models.Model]:
        if commit:
            moving = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk and (form in self.deleted_forms or form.has_changed())
            ]
            if moving:
                park(self.model._default_manager.filter(pk__in=moving), self.order_field)
        result: list[models.Model] = super().save_existing_objects(commit)  # type: ignore[misc]
        return result


class OrderedInlineFormSet(OrderedFormSetMixin, PreloadChoicesFormSetMixin, forms.BaseInlineFormSet):
    pass


class SiblingForm(SiblingFormMixin, forms.ModelForm):
    pass


# The plan document gives each of these texts one line (a title, a topic, a task bullet...); a line break
# typed in the admin would make `export_plan` write a document that no longer imports. Only the overview
# is free text.
MULTI_LINE_FIELDS = frozenset({"summary"})


def single_line(value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValidationError(
            _("Keep this on one line: the plan document has a single line for it."), code="line_break"
        )


class SingleLineFieldsMixin:
    """Admin (or inline) whose text fields refuse line breaks, except MULTI_LINE_FIELDS."""

    def formfield_for_dbfield(self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if (
            field is not None
            and isinstance(db_field, models.CharField | models.TextField)
            and db_field.name not in MULTI_LINE_FIELDS
        ):
            field.validators.append(single_line)
        return field


class CurriculumInlineMixin(SingleLineFieldsMixin):
    """Shared by every curriculum inline: ordered rows, preloaded selects, refused protected deletes."""

    choices_for: dict[str, tuple[ChoicesFor, str | None]] = {}
    order_field = "position"

    def formfield_for_dbfield(self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == self.order_field:
            kwargs.update(min_value=1, max_value=MAX_POSITION)
        if db_field.name in self.choices_for:
            kwargs.update(
                form_class=PreloadedModelChoiceField,
                queryset=db_field.related_model._default_manager.none(),  # type: ignore[union-attr]
            )
            # The choices are this parent's rows only; the add/change pop-ups would offer every plan's rows.
            return db_field.formfield(**kwargs)
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(getattr(field, "widget", None), RelatedFieldWidgetWrapper):
            field.widget = field.widget.widget
        return field

    def _finish_formset(self, formset: type[Any], **extra: Any) -> type[Any]:
        form = type(f"Protected{formset.form.__name__}", (ProtectedDeleteFormMixin, formset.form), {})
        attrs = {"form": form, "choices_for": self.choices_for, "order_field": self.order_field, **extra}
        return type(formset.__name__, (formset,), attrs)


class OrderedTabularInline(CurriculumInlineMixin, admin.TabularInline):
    form = SiblingForm
    formset = OrderedInlineFormSet
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        return self._finish_formset(super().get_formset(request, obj, **kwargs))


# --- inlines over grandchildren ---------------------------------------------------------------------------


class ScopedInlineChecks(InlineModelAdminChecks):
    """The inline's model reaches the parent through another row, so there is no direct foreign key."""

    def _check_relation(self, obj: Any, parent_model: Any) -> list[Any]:
        return []

    def _check_exclude_of_parent_model(self, obj: Any, parent_model: Any) -> list[Any]:
        return []


class ScopedFormSet(OrderedFormSetMixin, PreloadChoicesFormSetMixin, forms.BaseModelFormSet):
    """A model formset over the rows below one parent (`scope_lookup`, e.g. "session__day")."""

    scope_lookup = ""
    default_prefix = "rows"

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        instance: models.Model | None = None,
        save_as_new: bool = False,
        prefix: str | None = None,
        queryset: models.QuerySet[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.instance = instance if instance is not None else self.model()
        qs = queryset if queryset is not None else self.model._default_manager.all()
        qs = qs.filter(**{self.scope_lookup: self.instance}) if self.instance.pk else qs.none()
        super().__init__(data, files, prefix=prefix, queryset=qs, **kwargs)

    @classmethod
    def get_default_prefix(cls) -> str:
        return cls.default_prefix


class ScopedInline(CurriculumInlineMixin, admin.TabularInline):
    """A tabular inline over grandchildren; `scope_lookup` leads from the inline's model to the parent."""

    checks_class = ScopedInlineChecks
    form = SiblingForm
    formset = ScopedFormSet  # type: ignore[assignment]
    extra = 0
    scope_lookup = ""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        fields = kwargs.pop("fields", None) or flatten_fieldsets(self.get_fieldsets(request, obj))
        readonly = list(self.get_readonly_fields(request, obj))
        can_change = self.has_change_permission(request, obj)
        can_add = self.has_add_permission(request, obj)

        class PermissionForm(self.form):  # type: ignore[name-defined]
            def has_changed(self) -> bool:
                # As Django's own inlines do: rows the user may not change or add are never saved.
                if not (can_add if self.instance._state.adding else can_change):
                    return False
                return bool(super().has_changed())

            def is_valid(self) -> bool:
                # Django's own inline forms do the same; the formset shows the error above the inline.
                result = bool(super().is_valid())
                self.hand_clean_DELETE()
                return result

        formset = forms.modelformset_factory(
            self.model,
            form=PermissionForm,
            formset=self.formset,
            fields=[f for f in fields if f not in readonly],
            formfield_callback=partial(self.formfield_for_dbfield, request=request),
            extra=self.get_extra(request, obj),
            min_num=self.get_min_num(request, obj),
            max_num=self.get_max_num(request, obj),
            can_delete=self.can_delete and self.has_delete_permission(request, obj),
            **kwargs,
        )
        prefix = f"{self.model._meta.model_name}_rows"
        return self._finish_formset(formset, scope_lookup=self.scope_lookup, default_prefix=prefix)
