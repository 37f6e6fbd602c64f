from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shian.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from . import (
            checks,  # noqa: F401 — registers the deployment checks
            core_indicators,  # noqa: F401 — registers the core layer's indicators
        )
        from .text import check_text_on_save

        # The last line before the database for every text field of the platform's models.
        pre_save.connect(check_text_on_save, dispatch_uid="shian.core.text")
