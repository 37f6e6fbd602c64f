from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "shian.risk"
    label = "risk"
    verbose_name = _("Risk grades")

    def ready(self) -> None:
        from shian.core import related, todo

        from . import indicators  # noqa: F401 — registers the grade-mix indicators
        from .todo import risk_figures, risk_related, risk_todo

        todo.register("risk", risk_todo)
        todo.register_figures("risk", risk_figures)
        _audit_words()
        related.register("risk", risk_related)


def _audit_words() -> None:
    """The words of the risk module's audit entries (a regrade's tally, a draw, a scoring run)."""
    from shian.core import auditlabels

    from .rules import edition_source
    from .targeting import MODEL_NAMES, model_name

    def edition(value: object) -> str:
        return model_name(str(value)) if value in MODEL_NAMES else edition_source(str(value))

    auditlabels.register(
        {
            "edition": _("Rules or model"),
            "graded": _("Businesses graded"),
            "changed": _("Grades changed"),
            "mix": _("Grades"),
            "seed": _("Seed"),
            "ratios": _("Ratios"),
            "drawn": _("Businesses drawn"),
            "results_due": _("Results published by"),
            "scored_on": _("Scored on"),
            "businesses": _("Businesses"),
            "examples": _("Training inspections"),
            "inspector": _("Inspector"),
            "business": _("Business"),
        },
        {"edition": edition},
    )
