"""The closing resource list (sections and items) and the tasks that cite its items."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from curriculum.models.plan import PLAIN, Plan, Task


class ResourceSectionManager(models.Manager["ResourceSection"]):
    def get_by_natural_key(self, slug: str, position: int) -> ResourceSection:
        return self.get(plan__slug=slug, position=position)


class ResourceManager(models.Manager["Resource"]):
    def get_by_natural_key(self, slug: str, section: int, position: int) -> Resource:
        return self.get(section__plan__slug=slug, section__position=section, position=position)


class ResourceSection(models.Model):
    """A section of the closing resource list, with its own heading (papers, tools, tips, ...)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="resource_sections", verbose_name=_("plan"))
    heading = models.CharField(_("heading"), max_length=200, validators=PLAIN)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    objects = ResourceSectionManager()

    class Meta:
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "position"], name="resource_section_unique_position")]
        verbose_name = _("resource section")
        verbose_name_plural = _("resource sections")

    def __str__(self) -> str:
        return self.heading

    def natural_key(self) -> tuple[str, int]:
        return (self.plan.slug, self.position)

    natural_key.dependencies = ["curriculum.plan"]  # type: ignore[attr-defined]


class Resource(models.Model):
    section = models.ForeignKey(
        ResourceSection, on_delete=models.CASCADE, related_name="items", verbose_name=_("resource section")
    )
    text = models.TextField(_("text"), validators=PLAIN)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    objects = ResourceManager()

    class Meta:
        ordering = ["section", "position"]
        constraints = [models.UniqueConstraint(fields=["section", "position"], name="resource_unique_position")]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self) -> str:
        return self.text

    def natural_key(self) -> tuple[str, int, int]:
        return (self.section.plan.slug, self.section.position, self.position)

    natural_key.dependencies = ["curriculum.resourcesection"]  # type: ignore[attr-defined]


class Citation(models.Model):
    """A task that mentions a resource. Not part of the document: the export never writes it.

    `automatic` rows are the importer's matches and are recomputed on every import; rows an instructor
    adds in the admin are not automatic and survive a re-import.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="citations", verbose_name=_("task"))
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="citations", verbose_name=_("resource")
    )
    automatic = models.BooleanField(_("found by the importer"), default=False)

    class Meta:
        ordering = ["resource", "task"]
        constraints = [models.UniqueConstraint(fields=["task", "resource"], name="citation_unique_task_resource")]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")

    def __str__(self) -> str:
        return f"{self.task} → {self.resource}"
