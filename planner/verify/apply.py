"""Writing a reviewed proposal's accepted items into the catalogue, all at once or not at all.

Accepted matches move a place to the OSM anchor (or only confirm it), set ``confidence: osm`` and
put the OSM element first in ``source`` (``osm:way/123 (...); before: <the old source>``), so the
facts' sources stay. Accepted new places are added as drafted and filled in. Everything goes in
one write through :class:`~planner.data.store.CatalogStore`: validated as a whole catalogue (the
district boundary included), atomic, the previous version kept in the history.

An apply is stale, and refused before anything is written, when a place it would change has
changed since the match (moved, re-rated, or removed), or when a new place's id is now taken:
the operator matches again and reviews what is new.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.data.catalog import parse_catalog_text
from planner.data.store import CatalogStore
from planner.errors import PlannerError
from planner.verify.proposals import Decision, MatchItem, NewPlace, OsmCandidate, Proposal

SAME_POINT_DEG = 1e-6
"""Coordinates closer than this (about 0.1 m) are the same point (YAML rounds floats)."""


class StaleProposalError(PlannerError):
    """The catalogue changed, since the match, in a place the proposal would change."""

    def __init__(self, changed: Mapping[str, str]) -> None:
        self.changed = dict(changed)
        listed = "; ".join(f"{pid}: {why}" for pid, why in self.changed.items())
        super().__init__(
            f"the proposal is out of date for {len(self.changed)} place(s) ({listed}); nothing was "
            "written. Run `planner pois match` again and review the new proposal"
        )


@dataclass
class Applied:
    """What an apply wrote."""

    etag: str
    moved: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return len(self.moved) + len(self.confirmed) + len(self.added)


def osm_source(target: OsmCandidate, item: MatchItem, old_source: str, day: str) -> str:
    """``source`` after an accept: the OSM element first, the earlier sources kept after it."""
    before = old_source
    if before.startswith("osm:") and "; before: " in before:
        before = before.split("; before: ", 1)[1]  # matched again: one history, not a chain
    return (
        f"osm:{target.osm_id} ({target.point.value} of {target.osm_name!r}, matched {day}, "
        f"accepted by {item.decided_by}); before: {before}"
    )


def _changed(entry: Mapping[str, Any], item: MatchItem) -> str | None:
    now = entry.get("lon"), entry.get("lat"), entry.get("confidence")
    was = item.current
    if not isinstance(now[0], int | float) or not isinstance(now[1], int | float):
        return "its point is not a number now"
    target = item.target
    if (
        target is not None
        and now[2] == "osm"
        and math.fabs(float(now[0]) - target.lon) <= SAME_POINT_DEG
        and math.fabs(float(now[1]) - target.lat) <= SAME_POINT_DEG
    ):
        return "this proposal was applied already"
    if (
        math.fabs(float(now[0]) - was.lon) > SAME_POINT_DEG
        or math.fabs(float(now[1]) - was.lat) > SAME_POINT_DEG
    ):
        return f"moved to {now[0]}, {now[1]} since the match"
    if now[2] != was.confidence.value:
        return f"confidence is now {now[2]} (was {was.confidence.value})"
    return None


def apply_proposal(proposal: Proposal, store: CatalogStore, *, today: dt.date) -> Applied:
    """Write every accepted item of ``proposal`` in one validated, versioned write."""
    text, etag = store.file.read()
    entries = {str(e.get("id")): dict(e) for e in parse_catalog_text(text, store.path)}
    out = Applied(etag=etag)
    stale: dict[str, str] = {}
    writes: list[dict[str, Any]] = []
    for item in proposal.items():
        if item.decision == Decision.reject:
            out.rejected.append(item.id)
            continue
        if item.decision == Decision.pending:
            out.pending.append(item.id)
            continue
        if isinstance(item, MatchItem):
            entry = entries.get(item.id)
            if entry is None:
                stale[item.id] = "no longer in the catalogue"
                continue
            why = _changed(entry, item)
            if why:
                stale[item.id] = why
                continue
            target = item.target
            assert target is not None  # an accepted item has one (validated)
            new = dict(entry)
            new.update(
                lon=target.lon,
                lat=target.lat,
                confidence="osm",
                source=osm_source(target, item, str(entry.get("source", "")), today.isoformat()),
            )
            writes.append(new)
            (
                out.confirmed if target.distance_m <= 50 and item.chosen is None else out.moved
            ).append(item.id)
        else:
            assert isinstance(item, NewPlace)
            if item.id in entries:
                stale[item.id] = "this id is taken now; rename the new place in the proposal"
                continue
            new = {k: v for k, v in item.entry.items() if v is not None}
            new["source"] = (
                f"{new.get('source', 'osm:' + item.osm_id)}; accepted by {item.decided_by}"
            )
            writes.append(new)
            out.added.append(item.id)
    if stale:
        raise StaleProposalError(stale)
    if writes:
        out.etag = store.put_many(writes, if_match=etag)
    return out
