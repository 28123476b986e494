"""Checks of a request against the catalogue, before anything is planned.

Every id a request names must be in the catalogue and used as what it is: places to visit in
``must`` and ``pins``, a farm stay as ``stay``, and no place both pinned and avoided. Each
problem is a :class:`~planner.errors.RequestError` naming the field.
"""

from __future__ import annotations

from planner.data.catalog import Catalog
from planner.errors import RequestError
from planner.model import TripRequest


def check_ids(catalog: Catalog, request: TripRequest) -> None:
    """Raise :class:`RequestError` for the first id of ``request`` that is unknown or misused."""
    catalog.resolve(request.start, field="start")
    if request.end:
        catalog.resolve(request.end, field="end")
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
