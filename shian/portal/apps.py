from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shian.portal"
    label = "portal"
    verbose_name = _("Business portal")

    def ready(self) -> None:
        from shian.core import todo

        from . import indicators  # noqa: F401 — registers the portal's indicators
        from .todo import portal_figures, portal_todo

        todo.register("portal", portal_todo)
        todo.register_figures("portal", portal_figures)
