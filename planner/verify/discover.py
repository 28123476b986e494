"""Places OpenStreetMap knows in the district that the catalogue lacks, as draft entries.

Farm restaurants and guesthouses, viewpoints, orchards that sell or let visitors pick, temples,
museums, peaks and attractions: every named feature of those kinds inside the district boundary
whose name agrees with no catalogue place becomes a :class:`Discovery`: a catalogue entry with
what OSM knows (names, point, category, opening hours, a free entry), the fields an operator must
fill in before it can be accepted (``to_fill``: the visitor descriptions, an English name when OSM
has none), and the fields set to a reasoned default that an operator should check
(``estimated``: visit length, popularity, a category guessed from the name).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from planner.data.coords import haversine_m
from planner.model import Category, Confidence, Interest, Poi
from planner.verify.features import Feature, OsmData, anchor
from planner.verify.match import MIN_NAME, SAME_PLACE_M, SEARCH_RADIUS_M
from planner.verify.names import has_cjk, name_score, osm_names, our_names, pinyin_name, slug


@dataclass(frozen=True)
class Kind:
    """How a kind of OSM feature enters the catalogue."""

    category: Category
    interests: tuple[Interest, ...]
    visit_minutes: int
    visitable: bool = True


KINDS: Final[Sequence[tuple[str, tuple[str, ...], Kind]]] = (
    ("amenity", ("restaurant", "food_court"), Kind(Category.restaurant, (Interest.food,), 60)),
    (
        "tourism",
        ("guest_house", "hotel", "chalet", "hostel", "motel"),
        Kind(Category.lodging, (), 0, visitable=False),
    ),
    ("tourism", ("viewpoint",), Kind(Category.mountain, (Interest.mountain,), 30)),
    ("landuse", ("orchard",), Kind(Category.farm, (Interest.farm, Interest.picking), 90)),
    ("shop", ("farm",), Kind(Category.farm, (Interest.farm, Interest.picking), 60)),
    ("amenity", ("place_of_worship",), Kind(Category.temple, (Interest.culture,), 45)),
    ("historic", ("temple", "monastery"), Kind(Category.temple, (Interest.culture,), 45)),
    ("tourism", ("museum",), Kind(Category.museum, (Interest.culture,), 60)),
    ("natural", ("peak",), Kind(Category.mountain, (Interest.mountain, Interest.hiking), 120)),
    ("tourism", ("attraction",), Kind(Category.village, (), 60)),
)
"""The kinds discovered, first match wins; an ``attraction``'s category is guessed from its name."""

NAME_HINTS: Final[Sequence[tuple[str, Category, tuple[Interest, ...]]]] = (
    ("桃花", Category.blossom, (Interest.blossom,)),
    ("采摘", Category.farm, (Interest.farm, Interest.picking)),
    ("长城", Category.mountain, (Interest.great_wall, Interest.hiking)),
    ("湖", Category.lake, (Interest.lake,)),
    ("水库", Category.lake, (Interest.lake,)),
    ("峡", Category.gorge, (Interest.gorge, Interest.hiking)),
    ("谷", Category.gorge, (Interest.gorge,)),
    ("洞", Category.mountain, (Interest.family,)),
    ("寺", Category.temple, (Interest.culture,)),
    ("庙", Category.temple, (Interest.culture,)),
    ("观", Category.temple, (Interest.culture,)),
    ("山", Category.mountain, (Interest.mountain, Interest.hiking)),
    ("峰", Category.mountain, (Interest.mountain, Interest.hiking)),
    ("园", Category.farm, (Interest.farm,)),
    ("村", Category.village, (Interest.village,)),
)
"""Words in a Chinese name that suggest the category of a plain ``tourism=attraction``."""

DEFAULT_POPULARITY: Final = 0.35
"""New, thinly documented places start at the low end of configs/pois.yaml's scale."""
KNOWN_WITHIN_M: Final = SEARCH_RADIUS_M[Confidence.low]


@dataclass
class Discovery:
    """A draft catalogue entry for one OSM feature (or several at one place)."""

    feature: Feature
    entry: dict[str, Any]
    to_fill: list[str] = field(default_factory=list)
    estimated: list[str] = field(default_factory=list)
    same_place: list[str] = field(default_factory=list)


def kind_of(tags: Mapping[str, str], name_zh: str) -> tuple[Kind, bool] | None:
    """The kind of a feature, and whether its category is a guess (from the name)."""
    for key, values, kind in KINDS:
        if tags.get(key) in values:
            if key == "tourism" and tags[key] == "attraction":
                for word, category, interests in NAME_HINTS:
                    if word in name_zh:
                        return Kind(category, interests, kind.visit_minutes), True
                return kind, True
            return kind, False
    return None


def _known(feature: Feature, pois: Sequence[Poi]) -> bool:
    names = osm_names(feature.tags)
    c = feature.geometry.centroid
    for p in pois:
        if (
            name_score(our_names(p.name_zh, p.name_en), names).score >= MIN_NAME
            and haversine_m(p.lon, p.lat, c.x, c.y) <= KNOWN_WITHIN_M
        ):
            return True
    return False


def _inside(boundary: BaseGeometry | None, point: Point) -> bool:
    return boundary is None or boundary.covers(point)


def _names(tags: Mapping[str, str]) -> tuple[str | None, str | None]:
    zh = tags.get("name:zh") or tags.get("name:zh-Hans")
    name = tags.get("name", "")
    if not zh and has_cjk(name):
        zh = name
    en = tags.get("name:en") or (name if name and name.isascii() else None)
    return zh, en


def discover(
    data: OsmData,
    pois: Sequence[Poi],
    *,
    boundary: BaseGeometry | None,
    today: str,
) -> list[Discovery]:
    """Draft entries for the district's OSM places that the catalogue lacks, in OSM id order."""
    taken = {p.id for p in pois}
    found: list[Discovery] = []
    for f in sorted(data.features, key=lambda f: f.osm_id):
        zh, en = _names(f.tags)
        kind = kind_of(f.tags, zh or "")
        if kind is None:
            continue
        point, where = anchor(f, data, (f.geometry.centroid.x, f.geometry.centroid.y))
        if not _inside(boundary, point) or _known(f, pois):
            continue
        twin = next(
            (
                d
                for d in found
                if haversine_m(d.entry["lon"], d.entry["lat"], point.x, point.y) <= SAME_PLACE_M
                and name_score(osm_names(d.feature.tags), osm_names(f.tags)).score >= MIN_NAME
            ),
            None,
        )
        if twin is not None:
            twin.same_place.append(f.osm_id)
            continue
        found.append(_draft(f, zh, en, kind, point, where.value, taken, today))
    return found


def _draft(
    f: Feature,
    zh: str | None,
    en: str | None,
    kind_guess: tuple[Kind, bool],
    point: Point,
    where: str,
    taken: set[str],
    today: str,
) -> Discovery:
    kind, guessed = kind_guess
    to_fill = ["description_zh", "description_en"]
    estimated = ["visit_minutes", "popularity"] if kind.visitable else []
    if guessed:
        estimated.append("category")
    if zh is None:
        to_fill.append("name_zh")
    if en is None and zh is not None:
        en = pinyin_name(zh)
        estimated.append("name_en")
    base = slug(zh or en or "", en if en and "name_en" not in estimated else None)
    pid, k = base, 2
    while pid in taken:
        pid, k = f"{base}-{k}", k + 1
    taken.add(pid)
    kinds = ", ".join(
        f"{k}={v}"
        for k, v in f.tags.items()
        if k in ("tourism", "amenity", "landuse", "shop", "natural", "historic", "religion")
    )
    entry: dict[str, Any] = {
        "id": pid,
        "name_zh": zh,
        "name_en": en,
        "description_zh": None,
        "description_en": None,
        "category": kind.category.value,
        "interests": [i.value for i in kind.interests],
        "lon": round(point.x, 6),
        "lat": round(point.y, 6),
        "confidence": Confidence.osm.value,
        "source": f"osm:{f.osm_id} ({kinds}; point: {where}; found {today})",
        "visit_minutes": kind.visit_minutes,
        "popularity": DEFAULT_POPULARITY,
    }
    hours = f.tags.get("opening_hours")
    if hours:
        try:
            from planner.model.hours import parse_opening_hours

            parse_opening_hours(hours)
            entry["opening_hours"] = hours
        except ValueError:
            estimated.append("opening_hours")  # OSM's value does not parse: left out, look at it
    if f.tags.get("fee") == "no":
        entry["ticket_cny"] = 0
    if not kind.visitable:
        entry["visitable"] = False
    return Discovery(f, entry, to_fill, estimated)
