"""Records the committee's member units keep on the platform (agricultural producers, grain lots,
farmland plots, inspectors, training, publicity, insurance …): one write path, one import and one
export for every kind, so a page, the API and an xlsx file go through the same checks.

A module declares each kind of record it keeps as a `Kind` (its model, the fields a person enters,
the unit that owns it by default, the field that names it in a file) and registers it; pages, the
API and the importer of that module call `unit_record_save` and `unit_records_import` here. Every
write checks the capability, the record's scope (core.scoping.unit_can_change) and is audited in
the same transaction.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from .audit import audit_record_many, model_event, snapshot
from .models import AuditAction, Department, Region, Role
from .permissions import UnitCap, require_cap
from .scoping import regions_for, unit_can_change, unit_records_for
from .xlsx import FORMULA_GUARD, table_xlsx

Prepare = Callable[[Any, Any], None]


@dataclass(frozen=True)
class Kind:
    """One kind of unit record. `fields` are entered by people (forms, files, API) in this order;
    `key` names a record in files and forms that refer to it (a unique code)."""

    slug: str
    model: type[models.Model]
    title: str | Promise
    fields: tuple[str, ...]
    default_department: str
    key: str = "pk"
    towns_keep: bool = False
    # Other units that read every record of this kind and refer to them (task 六: the agriculture
    # committee records measures on the plots the ecology bureau classifies).
    partners: tuple[str, ...] = ()
    # The units whose liaisons add records of this kind (empty: every unit, for its own records).
    units: tuple[str, ...] = ()
    # Called with (record, actor) before validation: derived fields (a lot's region from its store).
    prepare: Prepare | None = None
    # Extra columns shown in lists and exports (read-only, derived): (label, attribute).
    extra_columns: tuple[tuple[str | Promise, str], ...] = ()
    select_related: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ("-pk",)
    help: str | Promise = ""


@dataclass
class Registry:
    module: str
    kinds: dict[str, Kind] = field(default_factory=dict)
    # The module's own pages beside the record lists, for the shared navigation: (label, url name).
    pages: list[tuple[str | Promise, str]] = field(default_factory=list)

    def add(self, kind: Kind) -> Kind:
        self.kinds[kind.slug] = kind
        return kind

    def get(self, slug: str) -> Kind | None:
        return self.kinds.get(slug)


_KIND_OF_MODEL: dict[type[models.Model], Kind] = {}


def register_kinds(registry: Registry) -> None:
    for kind in registry.kinds.values():
        _KIND_OF_MODEL[kind.model] = kind


# ----------------------------------------------------------------------------------- reading
def _visible(kind: Kind | None, qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    if kind is not None and user.role == Role.DEPARTMENT_LIAISON and user.department_id in kind.partners:
        return qs
    return unit_records_for(qs, user)


def records_for_user(kind: Kind, user: Any) -> QuerySet[Any]:
    qs = kind.model._default_manager.select_related("region", "department", *kind.select_related)
    return _visible(kind, qs, user).order_by(*kind.order_by)


def record_get_or_404(kind: Kind, user: Any, pk: Any) -> Any:
    """One record of a kind in the person's scope (a partner unit's included), else Http404."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < key < 2**63:  # a key no database row can have (and SQLite cannot bind)
        raise Http404
    record = _visible(kind, kind.model._default_manager.all(), user).filter(pk=key).first()
    if record is None:
        raise Http404
    return record


def _towns_keep(kind: Kind, record: Any) -> bool:
    """A town office keeps a record of a kind the towns keep, when the record is the office's own
    (not one a member unit filed for that town)."""
    return kind.towns_keep and record.department_id == kind.default_department


def may_change(user: Any, kind: Kind, record: Any) -> bool:
    return unit_can_change(
        user, department=record.department_id, region=record.region_id, towns_keep=_towns_keep(kind, record)
    )


def may_add(user: Any, kind: Kind) -> bool:
    """Whether the user may add a record of this kind at all (a town officer only the kinds towns
    keep; a liaison for their own unit)."""
    from .permissions import has_cap

    if not has_cap(user, UnitCap.RECORD):
        return False
    if user.is_superuser:
        return True
    if user.role == Role.DEPARTMENT_LIAISON:
        return not kind.units or user.department_id in kind.units
    return user.role != Role.TOWN_OFFICER or kind.towns_keep


# ----------------------------------------------------------------------------------- the form
def _key_field(model: type[models.Model]) -> str:
    kind = _KIND_OF_MODEL.get(model)
    return kind.key if kind is not None else "pk"


def record_form(kind: Kind, user: Any, *, data: Any = None, files: Any = None, instance: Any = None) -> Any:
    """The form of a kind for this person: references offer only records in their scope, named by
    their key; the owning unit is chosen only by district staff."""
    fields = [*kind.fields, "region"]
    district = user.is_superuser or user.role in (Role.DISTRICT_ADMIN, Role.DISTRICT_OFFICER)
    if district:
        fields.append("department")
    form_class = forms.modelform_factory(kind.model, fields=list(dict.fromkeys(fields)))
    defaulted = [
        n
        for n in fields
        if isinstance(mf := kind.model._meta.get_field(n), models.Field)
        and mf.has_default()
        and not isinstance(mf, models.BooleanField)
    ]
    if data is not None and defaulted:
        # A column left empty (a file, an API body) takes the field's default, as an omitted one does.
        data = data.copy()
        for n in defaulted:
            if n in data and data.get(n) in ("", None):
                data.pop(n)
    form = form_class(data=data, files=files, instance=instance)
    for n in defaulted:
        if n in form.fields:
            form.fields[n].required = False
    for name, f in form.fields.items():
        if not isinstance(f, forms.ModelChoiceField) or f.queryset is None:
            continue
        related = f.queryset.model
        if related is Region:
            f.queryset = regions_for(user)
        elif related is Department:
            f.required = False
            f.empty_label = _("默认：%(unit)s") % {"unit": kind.default_department}
        elif related in _KIND_OF_MODEL:
            key = _key_field(related)
            f.queryset = _visible(_KIND_OF_MODEL[related], related._default_manager.all(), user)
            if key != "pk":
                f.to_field_name = key
        if name in form.initial and instance is not None and isinstance(f, forms.ModelChoiceField):
            value = getattr(instance, name, None)
            if value is not None and f.to_field_name:
                form.initial[name] = getattr(value, f.to_field_name)
    return form


def _errors(form: Any) -> ValidationError:
    return ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})


# ----------------------------------------------------------------------------------- writing
def _state(kind: Kind, record: Any) -> dict[str, Any]:
    names = [f for f in (*kind.fields, "region", "department") if not _is_file(record, f)]
    out = snapshot(record, [record._meta.get_field(n).attname for n in names])
    return out


def _is_file(record: Any, name: str) -> bool:
    return isinstance(record._meta.get_field(name), models.FileField)


def _owner(kind: Kind, user: Any, chosen: Department | None) -> str:
    if user.role == Role.DEPARTMENT_LIAISON and not user.is_superuser:
        if chosen is not None and chosen.pk != user.department_id:
            raise ValidationError({"department": _("只能填报本单位的记录。")})
        return str(user.department_id)
    return chosen.pk if chosen is not None else kind.default_department


def _save_one(kind: Kind, user: Any, form: Any, instance: Any) -> tuple[Any, Any]:
    before = _state(kind, instance) if instance is not None else None
    record = form.save(commit=False)
    if instance is None or "department" in form.cleaned_data:
        record.department_id = _owner(kind, user, form.cleaned_data.get("department"))
    if kind.prepare is not None:
        kind.prepare(record, user)
    if not may_change(user, kind, record):
        raise PermissionDenied(_("该记录不由本单位（本镇街）负责。"))
    record.full_clean()
    record.save()
    after = _state(kind, record)
    action = AuditAction.CREATE if before is None else AuditAction.UPDATE
    return record, model_event(action, record, before=before, after=after, region=record.region_id or "")


def unit_record_save(
    *, kind: Kind, by: Any, source: str, data: Mapping[str, Any], files: Any = None, instance: Any = None
) -> Any:
    """Create (instance None) or change one unit record: capability, scope of the old and the new
    owner and region, validation, audit, in one transaction."""
    require_cap(by, UnitCap.RECORD)
    if instance is not None and not may_change(by, kind, instance):
        raise PermissionDenied(_("该记录不由本单位（本镇街）负责。"))
    if instance is None and not may_add(by, kind):
        raise PermissionDenied(_("You do not have permission to do this."))
    form = record_form(kind, by, data=data, files=files, instance=instance)
    if not form.is_valid():
        raise _errors(form)
    with transaction.atomic():
        record, event = _save_one(kind, by, form, instance)
        audit_record_many(actor=by, source=source, events=[event])
    return record


# ----------------------------------------------------------------------------------- files
def headers(kind: Kind) -> list[str]:
    return [_label(kind.model, f) for f in (*kind.fields, "region")]


def _label(model: type[models.Model], name: str) -> str:
    f = model._meta.get_field(name)
    return str(f.verbose_name) if isinstance(f, models.Field) else name


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportResult:
    written: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    return text[1:] if text.startswith(FORMULA_GUARD) else text


def _choice_value(model: type[models.Model], name: str, text: str) -> str:
    f = model._meta.get_field(name)
    if not isinstance(f, models.Field):
        return text
    if isinstance(f, models.BooleanField):
        return {"是": "true", "否": "false", "1": "true", "0": "false"}.get(text, text)
    if f.choices:
        for value, label in f.flatchoices:
            if text in (str(value), str(label)):
                return str(value)
    if isinstance(f, models.ForeignKey) and f.related_model is Region and text:
        match = Region.objects.filter(name=text).values_list("code", flat=True).first()
        return match or text
    if isinstance(f, models.ForeignKey) and f.related_model is Department and text:
        match = Department.objects.filter(name=text).values_list("code", flat=True).first()
        return match or text
    return text


def read_sheet(content: bytes) -> list[list[Any]]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return list(book.get_sheet_by_index(0).to_python(skip_empty_area=False))
    except (CalamineError, ValueError, IndexError) as exc:
        raise ValidationError(_("无法读取该文件：请上传 xlsx 工作簿。")) from exc


def unit_records_import(*, kind: Kind, by: Any, source: str, content: bytes) -> ImportResult:
    """All or nothing: every row is checked by the kind's own form; any problem (row, column,
    value, reason) and nothing is written; else every row is written, audited, in one transaction."""
    require_cap(by, UnitCap.RECORD)
    if not may_add(by, kind):
        raise PermissionDenied(_("You do not have permission to do this."))
    rows = read_sheet(content)
    wanted = headers(kind)
    names = [*kind.fields, "region"]
    header_at = next(
        (i for i, r in enumerate(rows[:10]) if {str(c).strip() for c in r if c} >= set(wanted[:1])), None
    )
    result = ImportResult()
    if header_at is None:
        result.problems.append(
            RowProblem(1, wanted[0], "", _("找不到表头行（第一列应为“%(h)s”）。") % {"h": wanted[0]})
        )
        return result
    header = [str(c).strip() for c in rows[header_at]]
    missing = [h for h in wanted if h not in header]
    for h in missing:
        result.problems.append(RowProblem(header_at + 1, h, "", _("缺少这一列。")))
    if missing:
        return result
    col = {name: header.index(h) for name, h in zip(names, wanted, strict=True)}
    label = dict(zip(names, wanted, strict=True))
    forms_ok: list[Any] = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cells = {n: _cell_text(row[i]) if i < len(row) else "" for n, i in col.items()}
        if not any(cells.values()):
            continue
        data = {n: _choice_value(kind.model, n, v) for n, v in cells.items()}
        form = record_form(kind, by, data=data)
        if not form.is_valid():
            for name, messages in form.errors.items():
                column = label.get(name, name)
                for m in messages:
                    result.problems.append(RowProblem(number, column, cells.get(name, ""), str(m)))
            continue
        forms_ok.append((number, form))
    if result.problems:
        return result
    with transaction.atomic():
        events = []
        for number, form in forms_ok:
            try:
                _record, event = _save_one(kind, by, form, None)
            except (ValidationError, PermissionDenied) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                result.problems.extend(RowProblem(number, "", "", str(m)) for m in messages)
                continue
            events.append(event)
        if result.problems:
            transaction.set_rollback(True)
            return result
        audit_record_many(actor=by, source=source, events=events)
    result.written = len(events)
    return result


def display(record: Any, name: str) -> Any:
    """A field's value as a list or an export shows it: the choice's label, a reference's name."""
    if hasattr(record, f"get_{name}_display"):
        return getattr(record, f"get_{name}_display")()
    value = getattr(record, name)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "name") and isinstance(getattr(value, "name", None), str):  # a file
        return value.name or ""
    return value


def columns(kind: Kind) -> list[tuple[str, str]]:
    """(label, attribute) of the list and the export: the entered fields, the region, the unit,
    then the kind's derived columns."""
    out = [(_label(kind.model, f), f) for f in kind.fields]
    out += [(_("镇街"), "region"), (_("负责单位"), "department")]
    out += [(str(label), attr) for label, attr in kind.extra_columns]
    return out


def export_xlsx(kind: Kind, records: Iterable[Any]) -> bytes:
    cols = columns(kind)
    rows: list[Sequence[Any]] = [[display(r, attr) for _label, attr in cols] for r in records]
    return table_xlsx(title=str(kind.title), headers=[c[0] for c in cols], rows=rows, sheet=str(kind.title))


def template_xlsx(kind: Kind) -> bytes:
    return table_xlsx(title=str(kind.title), headers=headers(kind), rows=[], sheet=str(kind.title))


def problems_xlsx(kind: Kind, problems: Sequence[RowProblem]) -> bytes:
    return table_xlsx(
        title=_("%(kind)s导入问题") % {"kind": kind.title},
        headers=[_("行"), _("列"), _("值"), _("原因")],
        rows=[[p.row, p.column, p.value, p.reason] for p in problems],
    )


def as_json(kind: Kind, record: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": record.pk}
    for name in (*kind.fields, "region", "department"):
        f = record._meta.get_field(name)
        value = getattr(record, name)
        if isinstance(f, models.ForeignKey):
            value = None if value is None else getattr(value, _key_field(f.related_model))
        elif isinstance(f, models.FileField):
            value = value.name or ""
        elif isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[name] = value
    for _label, attr in kind.extra_columns:
        value = getattr(record, attr)
        out[attr] = str(value) if isinstance(value, Decimal) else value
    return out
