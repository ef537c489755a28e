"""Admin building blocks for editing ordered rows inline, in a fixed number of queries.

Every curriculum page edits one row and its direct children with Django's own inlines (a plan's phases,
weeks and resource sections; a day's sessions; a session's tasks; a section's items), and each child row
links to its own page for the level below. Three things are added for the curriculum:

- `PreloadedModelChoiceField` + `PreloadChoicesFormSetMixin`: a select limited to the parent's rows (a
  week's phase), loaded once per formset and shared by every row (choices and validation), never once per row.
- `OrderedFormSetMixin`: positions are unique among the submitted rows (the formset holds all siblings),
  and saving parks moved rows on temporary positions first (`curriculum.positions.park`), so swaps and
  rotations save cleanly.
- `protected_summary` / `RefuseProtectedDeletesMixin` / `RefuseProtectedRowsFormSetMixin`: deleting rows
  that learners have progress on (PROTECT) is refused with one clear message, on the delete page, in the
  delete action and for an inline row marked for deletion, never a cascade and never a 500.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import NestedObjects
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


class RefuseProtectedRowsFormSetMixin:
    """For inline formsets: a row marked for deletion that learners depend on is refused, as one error above
    the inline. Checked before the formset's own clean(), so Django's longer refusal, which names every
    learner's row, is not added as well."""

    forms: list[Any]

    def clean(self) -> None:
        refusals = [
            protected_message(form.instance, summary)
            for form in self.forms
            if getattr(form, "cleaned_data", {}).get(DELETION_FIELD_NAME)
            and not form.instance._state.adding
            and (summary := protected_summary([form.instance]))
        ]
        if refusals:
            raise ValidationError(refusals, code="deleting_protected")
        super().clean()  # type: ignore[misc]


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
                cleaned = getattr(form, "cleaned_data", {})
                target = cleaned.get(name)
                if cleaned.get(DELETION_FIELD_NAME) or not form.has_changed() or target is None:
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
    """Formset over ALL children of one parent, ordered by `order_field` ("position" or "number").

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

    def save(self, commit: bool = True) -> list[models.Model]:
        if commit:
            moving = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk and (form in self.deleted_forms or form.has_changed())
            ]
            if moving:
                park(self.model._default_manager.filter(pk__in=moving), self.order_field)
        saved: list[models.Model] = super().save(commit)  # type: ignore[misc]
        return saved


class OrderedInlineFormSet(
    RefuseProtectedRowsFormSetMixin, OrderedFormSetMixin, PreloadChoicesFormSetMixin, forms.BaseInlineFormSet
):
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


class OrderedTabularInline(SingleLineFieldsMixin, admin.TabularInline):
    """Every curriculum inline: ordered rows, preloaded selects, refused protected deletes."""

    form = SiblingForm
    formset = OrderedInlineFormSet
    extra = 0
    choices_for: dict[str, tuple[ChoicesFor, str | None]] = {}
    order_field = "position"

    def formfield_for_dbfield(self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == self.order_field:
            kwargs.update(min_value=1, max_value=MAX_POSITION)
        if db_field.name in self.choices_for:
            # The choices are this parent's rows only; the add/change pop-ups would offer every plan's rows.
            return db_field.formfield(
                form_class=PreloadedModelChoiceField,
                queryset=db_field.related_model._default_manager.none(),  # type: ignore[union-attr]
                **kwargs,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"choices_for": self.choices_for, "order_field": self.order_field})
