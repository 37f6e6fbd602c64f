from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "shian.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from . import indicators  # noqa: F401 — registers the inspections' indicators
