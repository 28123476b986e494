"""Checks of a request against the catalogue, before anything is planned.

Every id a request names must be in the catalogue and used as what it is: places to visit in
``must`` and ``pins``, a farm stay as ``stay``, and no place both pinned and avoided. Each
problem is a :class:`~planner.errors.RequestError` naming the field.
"""

from __future__ import annotations

from planner.data.boundary import district_centre
from planner.data.catalog import Catalog
from planner.data.coords import haversine_m
from planner.errors import RequestError
from planner.model import Poi, TripRequest

MAX_FROM_PINGGU_KM = 150
"""How far from the district's centre a day may start or end (central Beijing is ~65 km away)."""


def check_ids(catalog: Catalog, request: TripRequest) -> None:
    """Raise :class:`RequestError` for the first id of ``request`` that is unknown or misused."""
    for field_name, ref in (("start", request.start), ("end", request.end)):
        if ref:
            _near_pinggu(catalog.resolve(ref, field=field_name), field_name)
    depots = {request.start, request.end or request.start, request.stay}
    for field_name, ids in (
        ("must", request.must),
        ("avoid", request.avoid),
        ("pins", [p.poi_id for p in request.pins]),
    ):
        for pid in ids:
            poi = catalog.get(pid, field=field_name)
            if field_name != "avoid" and not poi.visitable:
                raise RequestError(
                    field_name,
                    f"{pid!r} is a {poi.category.value} point, not a place to visit; use it as start, end or stay",
                )
            if field_name != "avoid" and pid in depots:
                raise RequestError(
                    field_name,
                    f"{pid!r} is the start, end or stay of the trip already; remove it from {field_name}",
                )
    for pin in request.pins:
        if pin.poi_id in request.avoid:
            raise RequestError("pins", f"{pin.poi_id!r} is pinned and avoided: keep it in one list")
        if pin.day is not None and pin.day > request.days:
            raise RequestError(
                "pins",
                f"{pin.poi_id!r} is pinned to day {pin.day} of a {request.days}-day trip",
            )
    if request.stay is not None:
        stay = catalog.resolve(request.stay, field="stay")
        if stay.visitable:
            raise RequestError(
                "stay",
                f"{request.stay!r} is not a place to stay; choose a farm stay (category lodging)",
            )


def _near_pinggu(poi: Poi, field: str) -> None:
    """A start or end point far from Pinggu (a mistyped coordinate, ``0,0``) would plan a day of
    driving or waiting: refuse it, saying how far it is."""
    lon, lat = district_centre()
    km = haversine_m(lon, lat, poi.lon, poi.lat) / 1000
    if km > MAX_FROM_PINGGU_KM:
        raise RequestError(
            field,
            f"{poi.lon:.5f},{poi.lat:.5f} is {km:,.0f} km from Pinggu District; days start and end "
            f"within {MAX_FROM_PINGGU_KM} km of it (central Beijing is about 65 km away): check the "
            "point ([lon, lat], WGS84) or choose a place",
        )
