"""Text fields in Django: the shared check of core.rules.text_problem as a field validator, and
the last line before the database (every CharField and TextField of the platform's models, checked
on every save, so no path — form, API, import, command — stores an over-long text or a control
character)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible

from .rules import text_problem


@deconstructible
class TextValidator:
    """A form or model field validator: refuses control characters (and, when given, more than
    `max_length` characters) with the shared wording."""

    def __init__(self, *, max_length: int | None = None, multiline: bool = False) -> None:
        self.max_length = max_length
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if isinstance(value, str) and (
            problem := text_problem(value, max_length=self.max_length, multiline=self.multiline)
        ):
            raise ValidationError(problem, code="text")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextValidator) and (self.max_length, self.multiline) == (
            other.max_length,
            other.multiline,
        )


def _text_fields(model: type[models.Model]) -> list[tuple[str, int | None, bool]]:
    cached = model.__dict__.get("_shian_text_fields")
    if cached is None:
        cached = [
            (f.attname, getattr(f, "max_length", None), isinstance(f, models.TextField))
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        model._shian_text_fields = cached  # type: ignore[attr-defined]
    return cached


def model_text_problems(instance: models.Model) -> dict[str, str]:
    """{field: reason} for every text field of the instance that could not be stored as it is."""
    out: dict[str, str] = {}
    for name, max_length, multiline in _text_fields(type(instance)):
        value = getattr(instance, name, None)
        if isinstance(value, str) and (
            problem := text_problem(value, max_length=max_length, multiline=multiline)
        ):
            out[name] = problem
    return out


# Models whose text is written by the platform itself, not typed by anyone: the audit chain keeps
# exactly what it was given (a record's name is checked where it is typed).
UNCHECKED = frozenset({"core.auditentry", "sessions.session"})


def check_text_on_save(
    sender: type[models.Model], instance: models.Model, raw: bool = False, **_kw: Any
) -> None:
    """pre_save receiver: refuse a save that would store an over-long text or a control character."""
    if raw or sender._meta.label_lower in UNCHECKED or not sender.__module__.startswith("shian."):
        return
    problems = model_text_problems(instance)
    if problems:
        labels = {f.attname: str(f.verbose_name) for f in sender._meta.concrete_fields}
        raise ValidationError(
            {name: f"{labels.get(name, name)}{reason}" for name, reason in problems.items()}
        )
