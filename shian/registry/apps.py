from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "shian.registry"
    label = "registry"
    verbose_name = _("Register of food businesses")

    def ready(self) -> None:
        from . import indicators  # noqa: F401 — registers the register's indicators
