"""Opening hours in words, in either language: ``Mo-Su 08:00-17:30`` reads
``daily 08:00-17:30`` / ``每天 08:00-17:30``.

Pure text, below ``plan`` so the planner's own warnings can say hours the way a visitor reads
them. Only the common forms of the catalogue's opening-hours syntax are put into words: rules
split by ``;``, each with optional months (``Apr-Sep:``, ``Dec 01-Mar 10:``), weekdays
(``Mo-Su``, ``Mo-Fr``, ``Sa,Su``) and times (``09:00-11:00,14:00-16:30``) or ``off``, and
``PH off``. Anything else is shown as written, so nothing is ever hidden or misread.
"""

from __future__ import annotations

import re

from planner.i18n.texts import t

_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_NAMES = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAY_RE = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_DAYS_RE = re.compile(rf"^{_DAY_RE}(?:-{_DAY_RE})?(?:,{_DAY_RE}(?:-{_DAY_RE})?)*$")
_TIMES_RE = re.compile(r"^\d{2}:\d{2}-\d{2}:\d{2}(?:,\d{2}:\d{2}-\d{2}:\d{2})*$")
_MONTH_RE = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?: \d{2})?"
_MONTHS_RE = re.compile(rf"^{_MONTH_RE}(?:-{_MONTH_RE})?$")


def hours_both(spec: str) -> dict[str, str]:
    """``spec`` in words in both languages, ``{"en": ..., "zh": ...}``, as :func:`reason`
    takes per-language parameters."""
    return {lang: hours_text(spec, lang) or spec for lang in ("en", "zh")}


def hours_text(spec: str | None, lang: str) -> str | None:
    """``spec`` in words in ``lang`` (``en`` or ``zh``); the spec as written when its form is
    not one of the common ones; None for None."""
    if spec is None:
        return None
    rules = [r.strip() for r in spec.split(";") if r.strip()]
    out = [_rule(r, lang) for r in rules]
    if not rules or any(r is None for r in out):
        return spec
    return ("；" if lang == "zh" else "; ").join(r for r in out if r is not None)


def _rule(rule: str, lang: str) -> str | None:
    months = None
    head, sep, body = rule.partition(": ")
    if sep and _MONTHS_RE.match(head):
        months, rule = _months(head, lang), body.strip()
    parts = rule.split()
    if parts == ["PH", "off"]:
        text = t("hours.holidays_off", lang)
    elif len(parts) == 2 and _DAYS_RE.match(parts[0]) and parts[1] == "off":
        text = t("hours.off", lang, days=_days(parts[0], lang))
    elif len(parts) == 2 and _DAYS_RE.match(parts[0]) and _TIMES_RE.match(parts[1]):
        times = ("、" if lang == "zh" else ", ").join(parts[1].split(","))
        if parts[0] == "Mo-Su":
            text = t("hours.daily", lang, times=times)
        else:
            text = t("hours.days", lang, days=_days(parts[0], lang), times=times)
    else:
        return None
    if months is None:
        return text
    return f"{months}：{text}" if lang == "zh" else f"{months}: {text}"


def _days(spec: str, lang: str) -> str:
    names = _DAY_NAMES["zh" if lang == "zh" else "en"]
    out = []
    for part in spec.split(","):
        a, _, b = part.partition("-")
        first = names[_DAYS.index(a)]
        out.append(
            first
            if not b
            else f"{first}至{names[_DAYS.index(b)]}"
            if lang == "zh"
            else f"{first}-{names[_DAYS.index(b)]}"
        )
    return ("、" if lang == "zh" else ", ").join(out)


def _months(spec: str, lang: str) -> str:
    def one(text: str) -> str:
        name, _, day = text.partition(" ")
        if lang == "zh":
            return f"{_MONTHS.index(name) + 1}月" + (f"{int(day)}日" if day else "")
        return name + (f" {int(day)}" if day else "")

    a, _, b = spec.partition("-")
    if not b:
        return one(a)
    return f"{one(a)}至{one(b)}" if lang == "zh" else f"{one(a)}-{one(b)}"
