"""A request's error in the visitor's language: :func:`error_reason`.

The core carries a bilingual text on a :class:`~planner.errors.RequestError` where it builds
one (an unknown place, with the places meant); the request's validation speaks English only, so
its common messages (end before start, a bad date or time, budget, days, pins, must and avoid)
are read back here into both languages. Anything else has no translation: the shell shows its
English message.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from planner.data.catalog import Catalog
from planner.errors import Bilingual, InfeasibleRequest, RequestError
from planner.i18n.texts import LANGS, reason
from planner.model import Reason

_Q = r"'([^']*)'"
_Rule = tuple[str | None, re.Pattern[str], Callable[[re.Match[str], Callable[[str], dict]], Reason]]


def error_reason(exc: BaseException, catalog: Catalog | None = None) -> Bilingual | None:
    """The message of ``exc`` (without its field) in both languages, or None when there is no
    translation. Place ids in it are named by their names when ``catalog`` knows them."""
    if not isinstance(exc, RequestError):
        return None
    if exc.text is not None:
        return exc.text

    def name(pid: str) -> dict[str, str]:
        poi = None
        if catalog is not None and pid in catalog:
            poi = catalog.get(pid)
        return {lang: (poi.name(lang) if poi else pid) for lang in LANGS}

    message = exc.problem.message
    for field, pattern, build in _RULES:
        if field is not None and field != exc.field:
            continue
        m = pattern.search(message)
        if m:
            return build(m, name)
    if exc.field == "budget_cny":
        return reason("error.budget")
    if exc.field == "days" and not isinstance(exc, InfeasibleRequest):
        return reason("error.days")
    return None


def _names(listed: str, name: Callable[[str], dict]) -> dict[str, str]:
    ids = re.findall(_Q, listed)
    parts = [name(i) for i in ids]
    return {"en": ", ".join(p["en"] for p in parts), "zh": "、".join(p["zh"] for p in parts)}


_RULES: list[_Rule] = [
    (
        "end_time",
        re.compile(r"(\d{2}:\d{2}) is not after start_time (\d{2}:\d{2})"),
        lambda m, n: reason("error.end_before_start", end=m[1], start=m[2]),
    ),
    (
        None,
        re.compile(rf"^({_Q}) is not a valid date"),
        lambda m, n: reason("error.bad_date", value=m[1]),
    ),
    (
        None,
        re.compile(rf"^({_Q}) is not a valid (?:start |end |lunch |dinner )?(?:time|from|to)"),
        lambda m, n: reason("error.bad_time", value=m[1]),
    ),
    (
        None,
        re.compile(rf"^({_Q}) is not one of: (.*)$"),
        lambda m, n: reason("error.not_one_of", value=m[1], allowed=m[3]),
    ),
    (
        None,
        re.compile(rf"^({_Q}) is not valid JSON"),
        lambda m, n: reason("error.unreadable", value=m[1]),
    ),
    (
        "pins",
        re.compile(rf"^{_Q} is pinned and avoided"),
        lambda m, n: reason("error.pinned_and_avoided", name=n(m[1])),
    ),
    (
        "pins",
        re.compile(rf"^{_Q} is pinned to day (\d+) of a (\d+)-day trip"),
        lambda m, n: reason("error.pinned_day", name=n(m[1]), day=m[2], days=m[3]),
    ),
    (
        None,
        re.compile(r"^(\[.*\]) are both in must and avoid"),
        lambda m, n: reason("error.must_and_avoid", names=_names(m[1], n)),
    ),
    (
        None,
        re.compile(r"^(\[.*\]) listed more than once"),
        lambda m, n: reason("error.listed_twice", names=_names(m[1], n)),
    ),
    (
        None,
        re.compile(rf"^{_Q} is a \w+ point, not a place to visit"),
        lambda m, n: reason("error.not_visitable", name=n(m[1])),
    ),
    (
        None,
        re.compile(rf"^{_Q} is the start, end or stay of the trip already"),
        lambda m, n: reason("error.is_depot", name=n(m[1])),
    ),
    (
        "stay",
        re.compile(rf"^{_Q} is not a place to stay"),
        lambda m, n: reason("error.not_a_stay", name=n(m[1])),
    ),
    (
        None,
        re.compile(rf"^{_Q} does not fit in the day even alone"),
        lambda m, n: reason("error.does_not_fit", name=n(m[1])),
    ),
    (
        None,
        re.compile(r"do not all fit between (\d{2}:\d{2}) and (\d{2}:\d{2})"),
        lambda m, n: reason("error.musts_do_not_fit", start=m[1], end=m[2]),
    ),
    (
        None,
        re.compile(rf"^unknown place {_Q}"),
        lambda m, n: _unknown(m[1]),
    ),
]
"""(field or None for any, what the English message says, its text in both languages)."""


def _unknown(text: str) -> Reason:
    from planner.data.catalog import unknown_place_text

    return unknown_place_text(text, ())
