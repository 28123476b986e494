"""What a place is worth to one visitor on one day: interests x popularity x season.

The value is the solver's prize for visiting the place (an optional node's penalty when skipped),
and every factor that went into it is kept as a bilingual reason, so the itinerary can say why a
place was chosen, or why it was not considered at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from planner.data.seasons import SeasonCalendar
from planner.i18n.texts import INTEREST_LABELS, SEASON_LABELS, label_list, reason
from planner.model import Poi, Reason, Season, TripRequest

BASE_VALUE = 100.0
"""Value of a place of popularity 1.0 that matches the visitor's interests, in season."""
MATCH_BONUS = 0.25
"""Extra share of value per additional interest matched (a lake that is also family-friendly)."""
NO_MATCH_FACTOR = 0.2
"""A place matching none of the visitor's interests still counts a little: worth a stop on the way."""
POPULAR = 0.85
"""Popularity from which a place is called one of Pinggu's most popular sights."""


@dataclass(frozen=True)
class Valuation:
    """The value of a place for a request, with the reasons behind it."""

    value: float
    why: list[Reason] = field(default_factory=list)
    excluded: Reason | None = None
    """Set when the place cannot be part of this plan at all (avoided, pointless out of season)."""


def value_poi(poi: Poi, request: TripRequest, calendar: SeasonCalendar | None = None) -> Valuation:
    """Value ``poi`` for ``request`` (see the module constants for the scale).

    Seasons that name a zone take that zone's window for the trip's year from ``calendar``
    (``configs/seasons.yaml``); a place is in season when any day of the trip is.
    """
    day = request.date
    days = [day + dt.timedelta(days=k) for k in range(request.days)]
    cal = calendar if calendar is not None else SeasonCalendar()
    if poi.id in request.avoid:
        return Valuation(0.0, excluded=reason("out.avoided"))
    why: list[Reason] = []
    must = poi.id in request.must
    if must:
        why.append(reason("why.must"))

    factor = 1.0
    if request.interests:
        matched = [i for i in request.interests if i in poi.interests]
        if matched:
            factor = 1.0 + MATCH_BONUS * (len(matched) - 1)
            why.append(reason("why.interests", interests=label_list(INTEREST_LABELS, matched)))
        else:
            factor = NO_MATCH_FACTOR

    seasonal = [s for s in poi.seasons if s.kind in ("bloom", "picking", "festival")]
    active = [s for s in seasonal if any(cal.contains(s, d) for d in days)]
    if active:
        why.append(
            reason("why.in_season", season=label_list(SEASON_LABELS, [active[0].kind.value]))
        )
        if any(cal.festival(d) for d in days) and active[0].kind.value in ("bloom", "festival"):
            why.append(reason("why.festival"))
    elif seasonal:
        factor *= poi.off_season_value
        if poi.off_season_value == 0 and not must:
            kinds = sorted({s.kind.value for s in seasonal})
            spans = ", ".join(_span(s, cal, day.year) for s in seasonal)
            seasons = {
                lang: f"{label_list(SEASON_LABELS, kinds)[lang]} {spans}" for lang in ("en", "zh")
            }
            return Valuation(
                0.0, excluded=reason("out.out_of_season", date=day.isoformat(), seasons=seasons)
            )

    if poi.popularity >= POPULAR:
        why.append(reason("why.popular"))
    if not why:
        why.append(reason("why.fits"))
    return Valuation(BASE_VALUE * poi.popularity * factor, why=why)


def _span(season: Season, cal: SeasonCalendar, year: int) -> str:
    if season.zone is not None and season.zone in cal.zones:
        w = cal.window(season.zone, year)
        return f"{w.start}..{w.end}"
    return f"{season.start}..{season.end}"
