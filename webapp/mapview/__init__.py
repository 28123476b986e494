"""The app's map component: Leaflet 1.9.4 (vendored from npm, no CDN) drawn from a JSON spec.

Why Leaflet, and how it is loaded: a well-kept map library handles projection, tiles, touch (drag
with one finger, pinch with two) and keyboard panning; a CDN fails offline, so the npm package's
``dist/`` is copied into ``static/map/leaflet/`` (``static/map/package.json`` pins the version;
``make js`` refreshes the copy). Streamlit serves ``static/`` (``server.enableStaticServing`` in
``.streamlit/config.toml``), so the browser fetches ``static/map/map.js`` and Leaflet once and
caches them; the component registered here (Streamlit components v2, inline, no iframe) is a
loader of a few hundred bytes plus the stylesheet, and a rerun that changes the map sends the
spec, not the code. The spec is built by :mod:`webapp.maps`.

The big layers are sent once per session: the base map and the roads travel under a key, in
full the first time and as the key alone afterwards (:func:`sendable`), and the browser keeps
them by key. Triggers coming back: ``select`` (a click on a place: ``{"id", "lon", "lat"}``; on
the map where the spec allows it: ``{"lon", "lat"}``), ``position`` (the visitor's position, when
they asked the map to follow it: ``{"lon", "lat", "accuracy_m"}``) and ``need`` (the browser lost a
keyed layer: all are sent in full again).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

HERE = Path(__file__).parent
STATIC = HERE.parents[1] / "static" / "map"
"""``static/map/``: served by Streamlit at ``app/static/map/``."""
KEYED = ("base", "roads", "district", "places")
"""Spec entries sent once per session under their ``key``: the base map and the roads as
:mod:`webapp.maps` builds them; the district's outline and the catalogue's places split off the
spec's ``areas`` and ``points`` by :func:`split` (they change with the catalogue, not the plan)."""

LOADER = """
const VERSION = "%(version)s";
let loading = null;
function load() {
  // a full URL: this loader itself runs from a blob, against which a path would not resolve
  const here = window.location.origin + window.location.pathname.replace(/[^/]*$/, "");
  loading ||= import(`${here}app/static/map/map.js?v=${VERSION}`);
  return loading;
}
export default function (component) {
  load()
    .then((m) => m.render(component))
    .catch((e) => {
      loading = null;
      component.parentElement.textContent = `%(failed)s (${e})`;
    });
}
"""


def code_version() -> str:
    """A digest of the map's code, so a browser never runs a cached old copy with a new spec."""
    digest = hashlib.sha256()
    for path in (STATIC / "map.js", STATIC / "map.css", STATIC / "leaflet" / "leaflet.js"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


CSS = """
@import url("app/static/map/leaflet/leaflet.css?v=%(version)s");
@import url("app/static/map/map.css?v=%(version)s");
"""
"""The stylesheets, fetched (and cached) by the browser, relative to the page like the loader."""


@cache
def _component() -> Any:
    version = code_version()
    return st.components.v2.component(
        "pinggu_map",
        js=LOADER % {"version": version, "failed": "The map could not load"},
        css=CSS % {"version": version},
    )


def _sent(key: str) -> set[str]:
    name = f"_map_sent_{key}"
    if name not in st.session_state:
        st.session_state[name] = set()
    sent: set[str] = st.session_state[name]
    return sent


def _keyed(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {"key": f"{name}-{hashlib.sha1(text.encode()).hexdigest()[:16]}", **payload}


def split(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with its static parts as keyed layers: ``areas`` (the district) becomes
    ``district``, and the points of kind ``place`` become ``places``; the plan's points stay."""
    out = dict(spec)
    places = [p for p in spec.get("points") or [] if p.get("kind") == "place"]
    if places:
        out["places"] = _keyed("places", {"points": places})
        out["points"] = [p for p in spec["points"] if p.get("kind") != "place"]
    if spec.get("areas"):
        out["district"] = _keyed("district", {"areas": spec["areas"]})
        out["areas"] = []
    return out


def sendable(spec: dict[str, Any], sent: set[str]) -> dict[str, Any]:
    """``spec`` as it goes to the browser: :func:`split`, then each keyed layer in full once and
    as its key alone afterwards."""
    out = split(spec)
    for name in KEYED:
        layer = out.get(name)
        if not layer or "key" not in layer:
            continue
        if layer["key"] in sent:
            out[name] = {"key": layer["key"]}
        else:
            sent.add(layer["key"])
    return out


def map_view(
    spec: dict[str, Any],
    *,
    key: str,
    on_select: Callable[[], None],
    on_position: Callable[[], None] | None = None,
) -> Any:
    """Draw the map for ``spec``; ``on_select`` runs (before the rerun) after a click that picks,
    ``on_position`` when the browser reports the visitor's position."""
    sent = _sent(key)

    def on_need() -> None:
        sent.clear()  # the browser lost a keyed layer: send them all in full next time

    return _component()(
        key=key,
        data=sendable(spec, sent),
        on_select_change=on_select,
        on_need_change=on_need,
        on_position_change=on_position or (lambda: None),
        height="content",
    )


def selected(key: str) -> dict[str, Any] | None:
    """The place or point the last click on map ``key`` picked (inside ``on_select``), if any."""
    return _trigger(key, "select")


def position(key: str) -> dict[str, Any] | None:
    """The visitor's last reported position on map ``key`` (inside ``on_position``), if any."""
    return _trigger(key, "position")


def _trigger(key: str, name: str) -> dict[str, Any] | None:
    state: Any = st.session_state.get(key)
    value = state.get(name) if state is not None and hasattr(state, "get") else None
    return value if isinstance(value, dict) else None
