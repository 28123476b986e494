"""Facts of a place as a visitor reads them, in either language.

Tickets: :func:`ticket_text` says "unknown" when the catalogue does not know the price and
"free" only for an explicit 0. Opening hours are put into words by
:func:`planner.i18n.hours.hours_text` (below ``plan``, so the planner's warnings use it too).
"""

from __future__ import annotations

from planner.i18n.texts import t


def ticket_text(ticket_cny: float | None, lang: str) -> str:
    """``¥40``, ``free`` / ``免费`` for 0, ``unknown`` / ``票价未知`` for None."""
    if ticket_cny is None:
        return t("label.ticket_unknown", lang)
    return t("label.free", lang) if ticket_cny == 0 else f"¥{ticket_cny:g}"
