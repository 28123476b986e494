"""Turning what matching and discovery found into a :class:`~planner.verify.proposals.Proposal`:
the one sequence every door runs (the CLI's ``planner pois match/discover`` and the operator
console), from an OSM file or a download to a proposal."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from planner.data.store import CatalogStore
from planner.errors import RequestError
from planner.i18n.texts import CATEGORY_LABELS, t
from planner.model import Category
from planner.model.common import TZ
from planner.verify.discover import Discovery, discover
from planner.verify.features import OsmData, download_features, read_osm_file
from planner.verify.match import SEARCH_RADIUS_M, Candidate, MatchStatus, PlaceMatch, match_catalog
from planner.verify.names import osm_names
from planner.verify.proposals import (
    Bilingual,
    CatalogRef,
    Current,
    MatchItem,
    NewPlace,
    OsmCandidate,
    OsmSource,
    Proposal,
)


def distance_text(metres: float) -> str:
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"


def _both(key: str, **params: object) -> Bilingual:
    def render(lang: str) -> str:
        values = {k: (v.get(lang) if isinstance(v, dict) else v) for k, v in params.items()}
        return t(key, lang, **values)

    return Bilingual(zh=render("zh"), en=render("en"))


def _osm_name(c: Candidate) -> str:
    names = osm_names(c.feature.tags)
    return names[0] if names else c.feature.osm_id


def _candidate(c: Candidate) -> OsmCandidate:
    return OsmCandidate(
        osm_id=c.feature.osm_id,
        osm_name=_osm_name(c),
        lon=round(c.lon, 6),
        lat=round(c.lat, 6),
        point=c.point,
        distance_m=round(c.distance_m, 1),
        score=min(1.0, c.total),
        evidence=c.evidence(),
    )


def _point(c: Candidate) -> dict[str, str]:
    return {lang: t(f"osm.point.{c.point.value}", lang) for lang in ("zh", "en")}


def _note(m: PlaceMatch) -> Bilingual:
    p = m.poi
    if m.status in (MatchStatus.moved, MatchStatus.confirmed) and m.best is not None:
        c = m.best
        return _both(
            f"osm.{m.status.value}",
            osm_name=_osm_name(c),
            osm_id=c.feature.osm_id,
            distance=distance_text(c.distance_m),
            point=_point(c),
        )
    if m.status == MatchStatus.ambiguous:
        names = "; ".join(
            f"{_osm_name(c)} {c.feature.osm_id} {distance_text(c.distance_m)}" for c in m.candidates
        )
        return _both("osm.ambiguous", n=len(m.candidates), names=names)
    if m.status == MatchStatus.far:
        c = m.candidates[0]
        return _both(
            "osm.far",
            osm_name=_osm_name(c),
            distance=distance_text(c.distance_m),
            confidence=p.confidence.value,
            radius=distance_text(SEARCH_RADIUS_M[p.confidence]),
        )
    return _both("osm.missing", names=f"{p.name_zh} / {p.name_en}")


def match_item(m: PlaceMatch) -> MatchItem:
    p = m.poi
    return MatchItem(
        id=p.id,
        name=f"{p.name_zh} / {p.name_en}",
        status=m.status,
        note=_note(m),
        current=Current(lon=p.lon, lat=p.lat, confidence=p.confidence),
        proposed=_candidate(m.best) if m.best is not None else None,
        candidates=[_candidate(c) for c in m.candidates] if m.best is None else [],
    )


def new_place(d: Discovery) -> NewPlace:
    category = Category(d.entry["category"])
    name = d.entry.get("name_zh") or d.entry.get("name_en") or d.feature.osm_id
    cat_text = CATEGORY_LABELS[category]
    if d.to_fill:
        note = _both(
            "osm.new",
            osm_name=name,
            osm_id=d.feature.osm_id,
            category=cat_text,
            fields=", ".join(d.to_fill),
        )
    else:
        note = _both("osm.new_complete", osm_name=name, osm_id=d.feature.osm_id, category=cat_text)
    return NewPlace(
        osm_id=d.feature.osm_id,
        note=note,
        entry=d.entry,
        to_fill=d.to_fill,
        estimated=d.estimated,
    )


def source_of(osm_file: Path | None, place: str | None) -> OsmSource:
    if osm_file is not None:
        digest = hashlib.sha256(Path(osm_file).read_bytes()).hexdigest()
        return OsmSource(kind="file", name=Path(osm_file).name, sha256=digest)
    return OsmSource(kind="place", name=str(place))


def build_proposal(
    *,
    source: OsmSource,
    catalog_file: str,
    etag: str,
    matches: Sequence[PlaceMatch] = (),
    discoveries: Sequence[Discovery] = (),
    now: dt.datetime | None = None,
) -> Proposal:
    return Proposal(
        created=(now or dt.datetime.now(TZ)).replace(microsecond=0),
        osm=source,
        catalog=CatalogRef(file=catalog_file, etag=etag),
        matches=[match_item(m) for m in matches],
        new_places=[new_place(d) for d in discoveries],
    )


def load_osm(
    *, osm_file: Path | None = None, place: str | None = None, cache_folder: Path | None = None
) -> OsmData:
    """OSM features from a file, or (online, cached by osmnx) from a place name: exactly one."""
    if (osm_file is None) == (place is None):
        raise RequestError("--osm-file", "give exactly one of --osm-file or --place")
    if osm_file is not None:
        return read_osm_file(osm_file)
    from planner.travel.network import default_cache_dir

    return download_features(str(place), cache_folder=cache_folder or default_cache_dir() / "osmnx")


def match_proposal(
    data: OsmData,
    store: CatalogStore,
    source: OsmSource,
    *,
    discover_new: bool = False,
    boundary: BaseGeometry | None = None,
    now: dt.datetime | None = None,
) -> Proposal:
    """Match every place of the store's catalogue (and, with ``discover_new``, draft the
    district's places it lacks, inside ``boundary``) into one proposal."""
    catalog, etag = store.load()
    pois = list(catalog)
    when = now or dt.datetime.now(TZ)
    found = (
        discover(data, pois, boundary=boundary, today=when.date().isoformat())
        if discover_new
        else []
    )
    return build_proposal(
        source=source,
        catalog_file=store.path.name,
        etag=etag,
        matches=match_catalog(pois, data),
        discoveries=found,
        now=when,
    )


def discover_proposal(
    data: OsmData,
    store: CatalogStore,
    source: OsmSource,
    *,
    boundary: BaseGeometry | None,
    now: dt.datetime | None = None,
) -> Proposal:
    """Draft entries for the district's OSM places the catalogue lacks (no matches)."""
    catalog, etag = store.load()
    when = now or dt.datetime.now(TZ)
    return build_proposal(
        source=source,
        catalog_file=store.path.name,
        etag=etag,
        discoveries=discover(data, list(catalog), boundary=boundary, today=when.date().isoformat()),
        now=when,
    )
