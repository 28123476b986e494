"""The app's map component: Leaflet 1.9.4 (vendored from npm, no CDN) drawn from a JSON spec.

Why Leaflet, bundled: a well-kept map library handles projection, tiles, touch (drag with one
finger, pinch with two) and keyboard panning; loading it from a CDN fails offline, so the npm
package's ``dist/`` is copied into ``vendor/leaflet/`` (``webapp/mapview/package.json`` pins the
version; ``make js`` refreshes the copy) and put in front of our own ``map.js`` as one module,
mounted with Streamlit's components v2 (inline, no iframe). The spec is built by
:mod:`webapp.maps`.

A rerun sends only what changed for the big layers: the base map and the roads travel under a
key, in full the first time in a session and as the key alone afterwards (:func:`map_view`), and
the browser keeps them by key. Triggers coming back: ``select`` (a click on a place:
``{"id", "lon", "lat"}``; on the map where the spec allows it: ``{"lon", "lat"}``), ``position``
(the visitor's position, when they asked the map to follow it: ``{"lon", "lat", "accuracy_m"}``)
and ``need`` (the browser lost a keyed layer: it is sent in full again).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

HERE = Path(__file__).parent
VENDOR = HERE / "vendor" / "leaflet"
KEYED = ("base", "roads")
"""Spec entries sent once per session under their ``key``."""


@cache
def _component() -> Any:
    js = (VENDOR / "leaflet.js").read_text(encoding="utf-8")
    css = (VENDOR / "leaflet.css").read_text(encoding="utf-8")
    return st.components.v2.component(
        "pinggu_map",
        js=js + "\n;\n" + (HERE / "map.js").read_text(encoding="utf-8"),
        css=css + "\n" + (HERE / "map.css").read_text(encoding="utf-8"),
    )


def _sent(key: str) -> set[str]:
    name = f"_map_sent_{key}"
    if name not in st.session_state:
        st.session_state[name] = set()
    sent: set[str] = st.session_state[name]
    return sent


def sendable(spec: dict[str, Any], sent: set[str]) -> dict[str, Any]:
    """``spec`` as it goes to the browser: each keyed layer in full once, then as its key alone."""
    out = dict(spec)
    for name in KEYED:
        layer = spec.get(name)
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
