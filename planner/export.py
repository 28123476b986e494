"""Itineraries as portable data: GeoJSON (WGS84) for maps and GIS tools."""

from __future__ import annotations

from typing import Any

from planner.models import Itinerary


def itinerary_geojson(it: Itinerary) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: one Point per stop (numbered) and one LineString per leg.

    Coordinates are WGS84 ``[lon, lat]`` (RFC 7946). Leg features say whether their geometry is an
    estimate (a straight line) or follows roads, so maps can draw them differently.
    """
    feats: list[dict[str, Any]] = []
    for k, s in enumerate(it.stops, 1):
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                "properties": {
                    "kind": "stop",
                    "order": k,
                    "id": s.poi_id,
                    "name_zh": s.name_zh,
                    "name_en": s.name_en,
                    "category": s.category.value,
                    "arrival": s.arrival.isoformat(),
                    "visit_start": s.visit_start.isoformat(),
                    "departure": s.departure.isoformat(),
                    "ticket_cny": s.ticket_cny,
                },
            }
        )
    for k, leg in enumerate(it.legs):
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in leg.geometry]},
                "properties": {
                    "kind": "leg",
                    "order": k,
                    "from": leg.from_id,
                    "to": leg.to_id,
                    "depart": leg.depart.isoformat(),
                    "arrive": leg.arrive.isoformat(),
                    "travel_s": leg.travel_s,
                    "distance_m": leg.distance_m,
                    "mode": leg.mode.value,
                    "provider": leg.provider,
                    "estimated": leg.provider.startswith("estimate"),
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}
