"""The catalogue of places: loading, validation and look-up.

Every input path (the operators' YAML, a GeoJSON layer, an API request) ends in
:func:`build_catalog`, which validates every entry with :class:`planner.model.Poi`, collects *all*
problems (each naming the place and the field) and raises them together as one
:class:`~planner.errors.ConfigError`, so an operator can fix a file in one pass.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from planner.errors import ConfigError, Problem, RequestError, problems_from_validation
from planner.model import Category, Confidence, Interest, Poi, Reason, TripRequest

if TYPE_CHECKING:
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

CATALOG_VERSION = 1


def default_configs_dir() -> Path:
    """The bundled configs folder (the operators' files; :mod:`planner.data.paths`)."""
    from planner.data.paths import default_paths

    return default_paths().configs_dir


def default_catalog_path() -> Path:
    return default_configs_dir() / "pois.yaml"


@dataclass(frozen=True)
class Catalog:
    """An immutable, validated set of places, in file order, looked up by id."""

    pois: tuple[Poi, ...]
    source: str = ""
    content_hash: str = ""
    """Hash of the validated content: keys downstream caches."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {p.id: p for p in self.pois})

    def __iter__(self) -> Iterator[Poi]:
        return iter(self.pois)

    def __len__(self) -> int:
        return len(self.pois)

    def __contains__(self, poi_id: object) -> bool:
        return poi_id in self._by_id  # type: ignore[attr-defined]

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.pois]

    def get(self, poi_id: str, *, field: str = "id") -> Poi:
        """The place with this id or name (:meth:`find_id`); a :class:`RequestError` naming
        ``field`` and the closest places otherwise."""
        by_id: dict[str, Poi] = self._by_id  # type: ignore[attr-defined]
        found = self.find_id(poi_id)
        if found is not None:
            return by_id[found]
        raise RequestError(
            field,
            unknown_id_message(poi_id, by_id),
            text=unknown_place_text(poi_id, self.pois),
        )

    def find_id(self, text: str) -> str | None:
        """The id of the place ``text`` names: its id, its Chinese or English name, or a name
        that is unique once suffixes such as 风景区, 景区 or "Scenic Area" are dropped
        (``金海湖`` -> ``jinhai-lake``); None when no place, or more than one, matches."""
        by_id: dict[str, Poi] = self._by_id  # type: ignore[attr-defined]
        if text in by_id:
            return text
        key = text.strip()
        exact = {p.id for p in self.pois if key in (p.name_zh, p.name_en)}
        exact |= {p.id for p in self.pois if key.casefold() == p.name_en.casefold()}
        if len(exact) == 1:
            return exact.pop()
        if exact:
            return None
        bare = bare_name(key)
        loose = {
            p.id for p in self.pois if bare and bare in (bare_name(p.name_zh), bare_name(p.name_en))
        }
        return loose.pop() if len(loose) == 1 else None

    def with_ids(self, request: TripRequest) -> TripRequest:
        """``request`` with every place it names by name written as its id (unknown names are
        kept, for :func:`~planner.plan.checks.check_ids` to report)."""

        def one(text: str | None) -> str | None:
            return None if text is None else (self.find_id(text) or text)

        return request.model_copy(
            update={
                "start": one(request.start),
                "end": one(request.end),
                "stay": one(request.stay),
                "must": [one(m) for m in request.must],
                "avoid": [one(a) for a in request.avoid],
                "pins": [
                    pin.model_copy(update={"poi_id": one(pin.poi_id)}) for pin in request.pins
                ],
            }
        )

    def resolve(self, text: str, *, field: str = "id") -> Poi:
        """A catalogue place by id, or an ad-hoc point written ``"lon,lat"`` (WGS84 degrees).

        Ad-hoc points (a click on the map, "here" when re-planning) become a transport-like
        place that is never visited, only started from or ended at.
        """
        lonlat = parse_lonlat(text)
        if lonlat is None:
            return self.get(text, field=field)
        lon, lat = lonlat
        # built, not validated: its id is the "lon,lat" text, outside the catalogue's id pattern
        return Poi.model_construct(
            id=text,
            name_zh=f"位置 {lon:.4f},{lat:.4f}",
            name_en=f"Point {lon:.4f},{lat:.4f}",
            description_zh="地图上选定的位置",
            description_en="A point chosen on the map",
            category=Category.transport,
            lon=lon,
            lat=lat,
            confidence=Confidence.surveyed,
            source="given by the user",
            visit_minutes=0,
            visitable=False,
        )

    def filter(
        self,
        *,
        category: Category | str | None = None,
        visitable: bool | None = None,
        interest: Interest | str | None = None,
    ) -> list[Poi]:
        """Places of a category, offering an interest, and/or of a visitability, in catalogue order."""
        out = list(self.pois)
        if category is not None:
            out = [p for p in out if p.category == Category(category)]
        if interest is not None:
            out = [p for p in out if Interest(interest) in p.interests]
        if visitable is not None:
            out = [p for p in out if p.visitable == visitable]
        return out

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """The catalogue as a GeoDataFrame (EPSG:4326), one row per place, indexed by id."""
        import geopandas as gpd
        from shapely.geometry import Point

        rows = [p.model_dump(mode="json") for p in self.pois]
        geometry = [Point(p.lon, p.lat) for p in self.pois]
        return gpd.GeoDataFrame(rows, geometry=geometry, crs="EPSG:4326").set_index(
            "id", drop=False
        )


_LONLAT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_lonlat(text: str) -> tuple[float, float] | None:
    """``"117.1,40.14"`` -> ``(117.1, 40.14)``; None when ``text`` is not two numbers.

    Raises :class:`RequestError` for numbers out of range (a swapped pair is named as such).
    """
    m = _LONLAT.match(text)
    if not m:
        return None
    lon, lat = float(m[1]), float(m[2])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        hint = (
            "; lon comes first (about 117 in Pinggu), then lat (about 40)" if abs(lat) > 90 else ""
        )
        raise RequestError("point", f"{text!r} is not a WGS84 lon,lat pair{hint}")
    return lon, lat


NAME_SUFFIXES = (
    "国家森林公园",
    "风景名胜区",
    "风景区",
    "旅游区",
    "景区",
    "scenic area",
    "scenic spot",
    "scenic zone",
)
"""Endings a visitor often leaves off (or adds to) a place's name; :meth:`Catalog.find_id`
matches names without them."""


def bare_name(name: str) -> str:
    """A name without its case, spaces, a note in brackets and a trailing
    :data:`NAME_SUFFIXES` ending (``京东石林峡风景区（玻璃观景台）`` -> ``京东石林峡``)."""
    out = re.sub(r"\s*[（(][^）)]*[）)]\s*", "", name).strip().casefold()
    for suffix in NAME_SUFFIXES:
        if out.endswith(suffix) and len(out) > len(suffix):
            out = out[: -len(suffix)]
            break
    return out.replace(" ", "")


def unknown_place_text(text: str, pois: Sequence[Poi]) -> Reason:
    """Both languages of "no such place; did you mean ...? choose one from the list", the
    closest places matched on ids and names alike, named in each language with their ids."""
    keys = {p.id: p for p in pois}
    keys |= {p.name_zh: p for p in pois} | {p.name_en.casefold(): p for p in pois}
    close: list[Poi] = []
    for k in difflib.get_close_matches(text.strip().casefold(), list(keys), n=6, cutoff=0.4):
        if keys[k] not in close:
            close.append(keys[k])
    close = close[:3]
    en_hint = "; did you mean " + ", ".join(f"{p.name_en} ({p.id})" for p in close) + "?"
    zh_hint = "；您是不是要找：" + "、".join(f"{p.name_zh}（{p.id}）" for p in close) + "？"
    return Reason(
        code="error.unknown_place",
        en=f"no place {text!r}{en_hint if close else ''} Choose one from the list.",
        zh=f"没有找到地点“{text}”{zh_hint if close else '。'}请从列表中选择。",
    )


def unknown_id_message(poi_id: str, known: Iterable[str]) -> str:
    """``unknown place 'x'; did you mean 'a', 'b'?`` — the fix for a mistyped id."""
    close = difflib.get_close_matches(poi_id, list(known), n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown place {poi_id!r}{hint} (list them with `planner pois list`)"


def entry_entity(source: str, index: int, raw: object) -> str:
    """How problems name a catalogue entry: ``pois.yaml: poi 'jinhai-lake'``, or ``poi #3``
    (1-based, in file order) when it has no usable id."""
    if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
        return f"{source}: poi {raw['id']!r}"
    return f"{source}: poi #{index + 1}"


def _entry_problems(entity: str, exc: ValidationError, raw: Mapping[str, Any]) -> list[Problem]:
    """``poi 'x': <field> <what is wrong>``, the field named once, at the start."""

    def describe(err: Mapping[str, Any], field: str | None, msg: str) -> str:
        if err.get("type") == "extra_forbidden":
            return "is not a known field (check its spelling; see configs/README.md)"
        if err.get("type") == "missing":
            return "is required"
        if field in ("lat", "lon") and _looks_swapped(raw):
            return f"{msg}; lon and lat look swapped (lon is about 117 and lat about 40 in Pinggu)"
        return msg

    return problems_from_validation(exc, entity, describe=describe, subject=True)


def _looks_swapped(raw: Mapping[str, Any]) -> bool:
    lon, lat = raw.get("lon"), raw.get("lat")
    return (
        isinstance(lon, int | float)
        and isinstance(lat, int | float)
        and abs(lat) > 90
        and abs(lon) <= 90
    )


def build_catalog(
    entries: Sequence[Mapping[str, Any]],
    *,
    source: str = "catalogue",
    boundary: BaseGeometry | None = None,
    boundary_tolerance_m: float | None = None,
) -> Catalog:
    """Validate raw entries into a :class:`Catalog`, reporting every problem at once.

    Parameters
    ----------
    entries
        One mapping per place (as read from YAML, GeoJSON properties or a request).
    source
        Name used at the start of every message (usually the file name).
    boundary
        The district polygon (WGS84). When given, every place must lie inside it or within
        ``boundary_tolerance_m`` of it; transport hubs (category ``transport``) may lie outside,
        since visitors arrive from central Beijing.
    """
    import hashlib
    import json

    problems: list[Problem] = []
    pois: list[Poi] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(entries):
        entity = entry_entity(source, i, raw)
        if not isinstance(raw, Mapping):
            problems.append(
                Problem(entity, None, f"must be a mapping of fields, got {type(raw).__name__}")
            )
            continue
        try:
            poi = Poi.model_validate(dict(raw))
        except ValidationError as exc:
            problems.extend(_entry_problems(entity, exc, raw))
            continue
        if poi.id in seen:
            problems.append(
                Problem(
                    entity,
                    "id",
                    f"is used twice (entries #{seen[poi.id] + 1} and #{i + 1}); ids must be unique",
                    subject=True,
                )
            )
            continue
        seen[poi.id] = i
        pois.append(poi)
    if boundary is not None:
        problems.extend(_boundary_problems(pois, boundary, source, boundary_tolerance_m))
    if problems:
        raise ConfigError(problems, source=source)
    digest = hashlib.sha256(
        json.dumps(
            [p.model_dump(mode="json") for p in pois], sort_keys=True, ensure_ascii=False
        ).encode()
    ).hexdigest()[:16]
    return Catalog(tuple(pois), source=source, content_hash=digest)


def _boundary_problems(
    pois: Sequence[Poi], boundary: BaseGeometry, source: str, tolerance_m: float | None
) -> list[Problem]:
    from planner.data.boundary import BOUNDARY_TOLERANCE_M, distance_outside_m

    tol = BOUNDARY_TOLERANCE_M if tolerance_m is None else tolerance_m
    out = []
    for p in pois:
        if p.category == Category.transport:
            continue
        d = distance_outside_m(boundary, p.lon, p.lat)
        if d > tol:
            out.append(
                Problem(
                    entry_entity(source, 0, {"id": p.id}),
                    "lon/lat",
                    f"({p.lon:.5f}, {p.lat:.5f}) lies {d / 1000:.1f} km outside "
                    f"Pinggu District (allowed: {tol / 1000:.1f} km); check that the point is WGS84 "
                    "(not GCJ-02 or BD-09) and that lon and lat are not swapped",
                    subject=True,
                )
            )
    return out


def read_catalog_entries(path: Path) -> list[Mapping[str, Any]]:
    """Read the raw entries of a catalogue file (YAML with ``version`` and ``pois``, or GeoJSON)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: file not found; give the path of a catalogue such as configs/pois.yaml",
            source=str(path),
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path}: cannot be read ({exc}); it must be a UTF-8 text file", source=str(path)
        ) from None
    return parse_catalog_text(text, path)


def parse_catalog_text(text: str, path: Path) -> list[Mapping[str, Any]]:
    """The raw entries of a catalogue's text (``path`` names it in messages)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            f"{path.name}: not valid YAML{where}: {getattr(exc, 'problem', exc)}", source=str(path)
        ) from None
    if isinstance(data, Mapping) and data.get("type") == "FeatureCollection":
        return _geojson_entries(data, path)
    if not isinstance(data, Mapping) or not isinstance(data.get("pois"), list):
        raise ConfigError(
            f"{path.name}: expected a mapping with 'version: {CATALOG_VERSION}' and a list 'pois:' "
            "(see configs/README.md)",
            source=str(path),
        )
    version = data.get("version", CATALOG_VERSION)
    if version != CATALOG_VERSION:
        raise ConfigError(
            f"{path.name}: version {version!r} is not supported; this planner reads version {CATALOG_VERSION}",
            source=str(path),
        )
    extra = set(data) - {"version", "pois"}
    if extra:
        raise ConfigError(
            f"{path.name}: unknown top-level keys {sorted(extra)}; only 'version' and 'pois' are allowed",
            source=str(path),
        )
    return list(data["pois"])


def _geojson_entries(data: Mapping[str, Any], path: Path) -> list[Mapping[str, Any]]:
    """GeoJSON points (WGS84) with the Poi fields as properties -> raw entries."""
    out: list[Mapping[str, Any]] = []
    for k, feat in enumerate(data.get("features") or []):
        geom = (feat or {}).get("geometry") or {}
        props = dict((feat or {}).get("properties") or {})
        if geom.get("type") != "Point" or len(geom.get("coordinates") or []) < 2:
            raise ConfigError(
                f"{path.name}: feature #{k + 1}: geometry must be a Point [lon, lat] in WGS84",
                source=str(path),
            )
        props["lon"], props["lat"] = geom["coordinates"][:2]
        out.append(props)
    return out


def load_catalog(path: Path | str | None = None, *, check_boundary: bool = True) -> Catalog:
    """Load and validate a catalogue file (default: the bundled ``configs/pois.yaml``).

    Raises :class:`ConfigError` listing every problem, each naming the place and the field.
    """
    p = Path(path) if path is not None else default_catalog_path()
    entries = read_catalog_entries(p)
    boundary = None
    if check_boundary:
        from planner.data.boundary import load_boundary

        boundary = load_boundary()
    return build_catalog(entries, source=p.name, boundary=boundary)
