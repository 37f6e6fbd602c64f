"""Every user-facing Chinese string is marked for translation, so English mode reads in English.

The platform is Chinese first: its newer modules write their messages in Chinese and mark them with
gettext, and each module's ``locale/en`` catalogue gives the English. A Chinese literal that is shown
to people but not marked stays Chinese in English mode. This test walks the source and lists them:

* Python (``ast``): the messages of errors (``raise …Error(…)``, ``ValidationError(…)``,
  ``HttpError(…)``), of ``messages.*`` calls, form and model ``label``/``help_text``/
  ``verbose_name``/``empty_label``, and the labels of choices (``TextChoices`` members and
  ``choices=[…]``);
* templates: text and attribute values outside ``{% translate %}``/``{% blocktranslate %}``.

Literals that are data rather than interface (rule keys, words the importers recognise such as
阴性/阳性, regular expressions) are never in these positions; the few that are sit in ALLOWED with
the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SHIAN = Path(__file__).resolve().parent.parent / "shian"
HAN = re.compile(r"[\u3400-\u9fff]")

GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "_lazy",
    "gettext_noop",
}
MESSAGE_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "empty_label",
    "message",
}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error", "add_message"}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}

# (path relative to shian/, literal) -> why it is not interface text.
ALLOWED: dict[tuple[str, str], str] = {
    ("templates/base.html", "食安"): "the platform's logotype (aria-hidden), not words to read",
    ("trace/templates/trace/public_base.html", "食安"): "the platform's logotype on the public page",
}

# English text that quotes Chinese on purpose: file -> why.
ENGLISH_QUOTES_CHINESE = {
    "sampling/templates/sampling/quick_test_import.html": "names the upload's column headers, "
    "which are read as written (in Chinese)",
    "planning/templates/planning/sampling.html": "names the votes file's column headers, read as written "
    "(in Chinese), and the public programme “你点我检” by its own name",
}

# Files whose pages are being reworked at present: their strings are marked as part of that rework.
NOT_YET_MARKED: tuple[str, ...] = ()


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_gettext(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) in GETTEXT


def _han_literals(node: ast.AST) -> list[tuple[int, str]]:
    """Chinese string literals under node, except those inside a gettext call."""
    found: list[tuple[int, str]] = []

    def walk(n: ast.AST) -> None:
        if _is_gettext(n):
            return
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and HAN.search(n.value):
            found.append((n.lineno, n.value))
            return
        for child in ast.iter_child_nodes(n):
            walk(child)

    walk(node)
    return found


def _is_error_call(call: ast.Call) -> bool:
    name = _name(call.func)
    return name.endswith(("Error", "Exception")) or name in {"HttpResponseBadRequest"}


def _is_messages_call(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in MESSAGE_LEVELS
        and isinstance(func.value, ast.Name)
        and func.value.id == "messages"
    )


def _python_findings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if _is_error_call(node) or _is_messages_call(node):
                for arg in node.args:
                    found += _han_literals(arg)
                for kw in node.keywords:
                    if kw.arg in (None, "message", "detail", "msg"):
                        found += _han_literals(kw.value)
            for kw in node.keywords:
                if kw.arg in MESSAGE_KEYWORDS:
                    found += _han_literals(kw.value)
                elif kw.arg == "choices" and isinstance(kw.value, (ast.List, ast.Tuple)):
                    for item in kw.value.elts:
                        if isinstance(item, ast.Tuple) and len(item.elts) == 2:
                            found += _han_literals(item.elts[1])
                elif kw.arg == "error_messages" and isinstance(kw.value, ast.Dict):
                    for value in kw.value.values:
                        found += _han_literals(value)
        elif isinstance(node, ast.ClassDef) and {_name(b) for b in node.bases} & CHOICES_BASES:
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Tuple):
                    found += _han_literals(stmt.value.elts[-1])
    return sorted(set(found))


# Template text: remove what is translated or not shown, then look for Chinese.
_TEMPLATE_SKIP = re.compile(
    r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}"
    r"|{%\s*blocktrans\b.*?{%\s*endblocktrans\s*%}"
    r"|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}"
    r"|{#.*?#}"
    r"|{%\s*(?:translate|trans)\s+(?:\"[^\"]*\"|'[^']*').*?%}"
    r"|{%\s*(?:if|elif)\b.*?%}"
    r"|_\(\"[^\"]*\"\)",
    re.S,
)


def _template_findings(path: Path) -> list[tuple[int, str]]:
    text = path.read_text(encoding="utf-8")
    kept = _TEMPLATE_SKIP.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    found = []
    for lineno, line in enumerate(kept.splitlines(), start=1):
        for run in re.findall(r"[^<>{}\n]*[\u3400-\u9fff][^<>{}\n]*", line):
            found.append((lineno, run.strip()))
    return found


def _source_files() -> list[Path]:
    files = []
    for path in sorted(SHIAN.rglob("*")):
        rel = path.relative_to(SHIAN).parts
        if "migrations" in rel or "tests" in rel or "static" in rel:
            continue
        if path.suffix in {".py", ".html", ".txt"} and path.is_file():
            if path.suffix == ".txt" and "templates" not in rel:
                continue
            files.append(path)
    return files


def untranslated() -> list[str]:
    problems = []
    for path in _source_files():
        rel = str(path.relative_to(SHIAN))
        if rel.startswith(NOT_YET_MARKED):
            continue
        findings = _python_findings(path) if path.suffix == ".py" else _template_findings(path)
        for lineno, literal in findings:
            if (rel, literal) not in ALLOWED:
                problems.append(f"shian/{rel}:{lineno}: {literal}")
    return problems


_TRANSLATE_TAG = re.compile(r'{%\s*(?:translate|trans)\s+"([^"]*)"(?:\s+context\s+"([^"]*)")?')
_TEMPLATE_GETTEXT = re.compile(r'_\("([^"]*)"\)')
_BLOCK = re.compile(r"{%\s*blocktrans(?:late)?\b(.*?)%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S)


def marked_chinese() -> list[tuple[str, str | None, str]]:
    """(where, context, msgid) of every Chinese string marked for translation, as gettext sees it."""
    found: list[tuple[str, str | None, str]] = []
    for path in _source_files():
        rel = str(path.relative_to(SHIAN))
        if rel.startswith(NOT_YET_MARKED):
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            for node in ast.walk(ast.parse(text)):
                if not (isinstance(node, ast.Call) and _name(node.func) in GETTEXT):
                    continue
                contextual = _name(node.func).startswith(("pgettext", "npgettext"))
                args = node.args[1:2] if contextual else node.args[:1]
                context = node.args[0] if contextual else None
                for arg in args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and HAN.search(arg.value):
                        ctx = context.value if isinstance(context, ast.Constant) else None
                        found.append((f"{rel}:{node.lineno}", ctx, arg.value))
            continue
        # The template engine looks a literal up with its % doubled, a block with its variables
        # as %(name)s.
        for msgid, ctx in _TRANSLATE_TAG.findall(text):
            if HAN.search(msgid):
                found.append((rel, ctx or None, msgid.replace("%", "%%")))
        for msgid in _TEMPLATE_GETTEXT.findall(text):
            if HAN.search(msgid):
                found.append((rel, None, msgid.replace("%", "%%")))
        for match in _BLOCK.finditer(text):
            body = re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", match.group(2).replace("%", "%%"))
            if "trimmed" in match.group(1):
                body = " ".join(line.strip() for line in body.strip().splitlines() if line.strip())
            if HAN.search(body):
                found.append((rel, None, body))
    return found


def test_every_marked_chinese_string_has_its_english():
    """English mode reads English: each marked string has an English entry in a module's catalogue
    (shian/<app>/locale/en), compiled as the platform serves it."""
    from django.utils import translation

    missing = []
    with translation.override("en"):
        for where, ctx, msgid in marked_chinese():
            if "{%% plural %%}" in msgid:  # a counted block: asked with its plural
                one, many = (part.strip() for part in msgid.split("{%% plural %%}"))
                english = translation.ngettext(one, many, 2)
            else:
                english = translation.pgettext(ctx, msgid) if ctx else translation.gettext(msgid)
            quoting = where.split(":")[0] in ENGLISH_QUOTES_CHINESE
            if HAN.search(english) and not quoting:
                missing.append(f"{where}: {msgid}")
    assert not missing, f"{len(missing)} strings without English:\n" + "\n".join(sorted(set(missing)))


def test_chinese_stays_the_default():
    """Marking changes nothing in Chinese: the default language shows the source text."""
    from django.utils import translation

    with translation.override("zh-hans"):
        for _where, ctx, msgid in marked_chinese()[:200]:
            shown = translation.pgettext(ctx, msgid) if ctx else translation.gettext(msgid)
            assert shown == msgid


def test_every_user_facing_chinese_string_is_marked_for_translation():
    problems = untranslated()
    assert not problems, f"{len(problems)} untranslated user-facing strings:\n" + "\n".join(problems)


def test_the_checker_finds_what_it_should():
    """The checker itself, on code shaped like the platform's."""
    source = (
        "from django.utils.translation import gettext as _\n"
        "class Kind(models.TextChoices):\n"
        '    A = "a", "甲类"\n'
        '    B = "b", _("乙类")\n'
        "def f(request, x):\n"
        '    if x == "阳性":\n'  # a value compared, not shown: not reported
        '        raise ValueError("数值有误")\n'
        '    messages.success(request, f"已保存 {x}")\n'
        '    messages.success(request, _("已保存"))\n'
        '    forms.CharField(label="名称", help_text=_("说明"))\n'
        '    raise ValidationError(_("第 %(row)s 行有误") % {"row": 1})\n'
    )
    tree_path = Path(__file__).with_name("_translatable_sample.py")
    try:
        tree_path.write_text(source, encoding="utf-8")
        literals = [literal for _, literal in _python_findings(tree_path)]
    finally:
        tree_path.unlink()
    assert literals == ["甲类", "数值有误", "已保存 ", "名称"]

    template = Path(__file__).with_name("_translatable_sample.html")
    try:
        template.write_text(
            '{% load i18n %}<h1>{% translate "案件" %}</h1><th>案号</th>{# 注释 #}\n'
            '<input placeholder="关键词">{% blocktranslate %}共 {{ n }} 件{% endblocktranslate %}\n',
            encoding="utf-8",
        )
        assert [literal for _, literal in _template_findings(template)] == [
            "案号",
            'input placeholder="关键词"',
        ]
    finally:
        template.unlink()
