from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shian.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import core_indicators  # noqa: F401 — registers the core layer's indicators
