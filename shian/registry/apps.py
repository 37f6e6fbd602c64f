from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "shian.registry"
    label = "registry"
    verbose_name = _("Register of food businesses")

    def ready(self) -> None:
        from shian.core import related

        from . import indicators  # noqa: F401 — registers the register's indicators
        from .related import registry_related

        related.register("registry", registry_related)

        from shian.core import todo

        from .todo import registry_todo

        todo.register("registry", registry_todo)
