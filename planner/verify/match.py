"""Finding each catalogue place among OpenStreetMap's features: scored, never guessed.

For every place, each named OSM feature is a candidate when one of its names agrees with one of
the place's (:func:`planner.verify.names.name_score` at least :data:`MIN_NAME`). A candidate is
scored by name (60 %), by how well its tags fit the place's category (25 %), and by distance
(15 %, from the place's current point to the feature's anchor, within the distance that point may
be off given its ``confidence``: :data:`SEARCH_RADIUS_M`).

Candidates within :data:`SAME_PLACE_M` of one another are one place on the ground (a node and the
area around it) and count once, the best-placed anchor standing for them. Then:

* ``confirmed``: the best candidate's anchor is within :data:`SAME_SPOT_M` of the current point;
* ``moved``: one candidate leads by :data:`AMBIGUITY_MARGIN` or more: its anchor is proposed;
* ``ambiguous``: two or more separate places score within the margin: listed, nothing proposed;
* ``far``: the name is found, but only farther away than the point can be off: listed for a look,
  nothing proposed (a 石林峡 8 km away is more likely another 石林峡 than ours);
* ``missing``: OSM has no feature of this name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from shapely.geometry import Point

from planner.data.coords import haversine_m
from planner.model import Category, Confidence, Poi
from planner.verify.features import Feature, OsmData, PointKind, anchor
from planner.verify.names import NameMatch, name_score, osm_names, our_names

MIN_NAME: Final = 0.8
"""Below this name agreement a feature is not a candidate at all."""
SEARCH_RADIUS_M: Final[Mapping[Confidence, float]] = {
    Confidence.low: 5_000.0,
    Confidence.medium: 1_500.0,
    Confidence.osm: 500.0,
    Confidence.surveyed: 300.0,
}
"""How far a candidate may lie from the current point, by that point's confidence (a ``low`` point
is an estimate off by 2-5 km; see configs/pois.yaml)."""
SAME_PLACE_M: Final = 300.0
SAME_SPOT_M: Final = 50.0
AMBIGUITY_MARGIN: Final = 0.1
WEIGHTS: Final = (0.6, 0.25, 0.15)
"""Name, category, distance."""

CATEGORY_TAGS: Final[Mapping[Category, tuple[tuple[str, str | None], ...]]] = {
    Category.lake: (("natural", "water"), ("water", None), ("landuse", "reservoir")),
    Category.gorge: (("natural", "valley"), ("natural", "gorge"), ("natural", "cliff")),
    Category.mountain: (
        ("natural", "peak"),
        ("natural", "ridge"),
        ("natural", "mountain_range"),
        ("natural", "cave_entrance"),
        ("historic", "city_walls"),
        ("barrier", "city_wall"),
    ),
    Category.temple: (
        ("amenity", "place_of_worship"),
        ("historic", "temple"),
        ("historic", "monastery"),
        ("building", "temple"),
    ),
    Category.village: (
        ("place", "village"),
        ("place", "hamlet"),
        ("place", "neighbourhood"),
        ("place", "locality"),
    ),
    Category.farm: (
        ("landuse", "orchard"),
        ("landuse", "farmyard"),
        ("place", "farm"),
        ("shop", "farm"),
    ),
    Category.blossom: (("landuse", "orchard"), ("natural", "wood")),
    Category.museum: (("tourism", "museum"), ("amenity", "arts_centre")),
    Category.restaurant: (
        ("amenity", "restaurant"),
        ("amenity", "food_court"),
        ("amenity", "cafe"),
    ),
    Category.lodging: (
        ("tourism", "guest_house"),
        ("tourism", "hotel"),
        ("tourism", "chalet"),
        ("tourism", "hostel"),
        ("tourism", "motel"),
        ("tourism", "camp_site"),
    ),
    Category.transport: (
        ("amenity", "bus_station"),
        ("highway", "bus_stop"),
        ("public_transport", "station"),
        ("railway", "station"),
    ),
    Category.market: (("amenity", "marketplace"), ("shop", None)),
}
"""OSM tags that say a feature is a place of each category."""
GENERIC_TAGS: Final = (
    ("tourism", "attraction"),
    ("tourism", "viewpoint"),
    ("leisure", "park"),
    ("leisure", "nature_reserve"),
    ("leisure", "resort"),
    ("boundary", "protected_area"),
    ("boundary", "national_park"),
    ("historic", None),
    ("place", "village"),
)
"""Tags that fit any visitable place in part (a scenic area is often just ``tourism=attraction``)."""
SPECIFIC, GENERIC, UNFIT = 1.0, 0.7, 0.2


class MatchStatus(StrEnum):
    """What matching found for one catalogue place."""

    moved = "moved"
    confirmed = "confirmed"
    ambiguous = "ambiguous"
    far = "far"
    missing = "missing"


def _fits(tags: Mapping[str, str], rules: Sequence[tuple[str, str | None]]) -> str | None:
    for key, value in rules:
        if key in tags and (value is None or tags[key] == value):
            return f"{key}={tags[key]}"
    return None


def category_score(category: Category, tags: Mapping[str, str]) -> tuple[float, str]:
    """How well OSM's tags fit the place's category, and the tag that says so."""
    hit = _fits(tags, CATEGORY_TAGS.get(category, ()))
    if hit:
        return SPECIFIC, f"tag {hit} fits {category.value}"
    hit = _fits(tags, GENERIC_TAGS)
    if hit:
        return GENERIC, f"tag {hit} fits any sight"
    shown = ", ".join(f"{k}={v}" for k, v in tags.items() if k in _KIND_SHOWN) or "no kind tag"
    return UNFIT, f"tags ({shown}) do not fit {category.value}"


_KIND_SHOWN: Final = frozenset(
    {"tourism", "leisure", "natural", "historic", "amenity", "place", "landuse", "shop", "building"}
)


@dataclass(frozen=True)
class Candidate:
    """One OSM feature as a possible match for a place, with everything that scored it."""

    feature: Feature
    name: NameMatch
    category: float
    category_note: str
    lon: float
    lat: float
    point: PointKind
    distance_m: float
    distance: float
    """1 at the current point, 0 at the search radius."""
    total: float
    same_place: tuple[str, ...] = ()
    """Other OSM ids found at the same place (a node inside this area, or the area around it)."""

    def evidence(self) -> list[str]:
        return [
            self.name.evidence(),
            self.category_note,
            f"{self.distance_m:,.0f} m from the current point",
            f"point: {self.point.value}",
            *(f"same place as {o}" for o in self.same_place),
        ]


@dataclass
class PlaceMatch:
    """The outcome for one place: its status, the proposed candidate, and the others considered."""

    poi: Poi
    status: MatchStatus
    best: Candidate | None = None
    candidates: list[Candidate] = field(default_factory=list)
    """Every separate place considered, best first (the far ones too, for ``far``)."""

    @property
    def moved_m(self) -> float | None:
        return None if self.best is None else self.best.distance_m


def _names_of(poi: Poi) -> list[str]:
    return our_names(poi.name_zh, poi.name_en)


def candidates_for(poi: Poi, data: OsmData, *, radius_m: float | None = None) -> list[Candidate]:
    """Every feature whose name agrees with the place's, scored (unlimited distance), best first."""
    radius = radius_m or SEARCH_RADIUS_M[poi.confidence]
    ours = _names_of(poi)
    found: list[Candidate] = []
    for f in data.features:
        nm = name_score(ours, osm_names(f.tags))
        if nm.score < MIN_NAME:
            continue
        point, kind = anchor(f, data, poi.lonlat)
        d = haversine_m(poi.lon, poi.lat, point.x, point.y)
        cat, note = category_score(poi.category, f.tags)
        closeness = max(0.0, 1.0 - d / radius)
        total = WEIGHTS[0] * nm.score + WEIGHTS[1] * cat + WEIGHTS[2] * closeness
        found.append(
            Candidate(
                f, nm, cat, note, point.x, point.y, kind, d, round(closeness, 3), round(total, 3)
            )
        )
    return sorted(found, key=lambda c: (-c.total, c.distance_m, c.feature.osm_id))


_POINT_PREFERENCE: Final = {
    PointKind.entrance: 0,
    PointKind.node: 1,
    PointKind.centroid: 2,
    PointKind.inside: 3,
    PointKind.shore: 4,
    PointKind.line: 5,
}


def _same_place(a: Candidate, b: Candidate) -> bool:
    if haversine_m(a.lon, a.lat, b.lon, b.lat) <= SAME_PLACE_M:
        return True
    for x, y in ((a, b), (b, a)):
        if x.feature.is_area and x.feature.geometry.covers(Point(y.lon, y.lat)):
            return True
    return False


def group(candidates: Sequence[Candidate]) -> list[Candidate]:
    """One candidate per separate place, in order of score; the one standing for a group keeps
    the group's best score and the best-placed anchor (a gate before a node before a centre)."""
    groups: list[list[Candidate]] = []
    for c in candidates:
        for g in groups:
            if any(_same_place(c, o) for o in g):
                g.append(c)
                break
        else:
            groups.append([c])
    out = []
    for g in groups:
        best = max(c.total for c in g)
        where = min(g, key=lambda c: (_POINT_PREFERENCE[c.point], -c.total))
        others = tuple(c.feature.osm_id for c in g if c is not where)
        out.append(_with(where, total=best, same_place=others))
    return sorted(out, key=lambda c: (-c.total, c.distance_m))


def _with(c: Candidate, *, total: float, same_place: tuple[str, ...]) -> Candidate:
    from dataclasses import replace

    return replace(c, total=total, same_place=same_place)


def match_place(poi: Poi, data: OsmData) -> PlaceMatch:
    """The :class:`PlaceMatch` of one place (see the module's rules)."""
    radius = SEARCH_RADIUS_M[poi.confidence]
    places = group(candidates_for(poi, data))
    near = [c for c in places if c.distance_m <= radius]
    if not places:
        return PlaceMatch(poi, MatchStatus.missing)
    if not near:
        return PlaceMatch(poi, MatchStatus.far, candidates=places)
    if len(near) > 1 and near[1].total > near[0].total - AMBIGUITY_MARGIN:
        return PlaceMatch(poi, MatchStatus.ambiguous, candidates=near)
    best = near[0]
    status = MatchStatus.confirmed if best.distance_m <= SAME_SPOT_M else MatchStatus.moved
    return PlaceMatch(poi, status, best=best, candidates=near)


def match_catalog(pois: Sequence[Poi], data: OsmData) -> list[PlaceMatch]:
    """Every place of the catalogue matched, in catalogue order."""
    return [match_place(p, data) for p in pois]
