"""The app's map component: an SVG map drawn in the browser from a JSON spec (no WebGL, no download).

Why not pydeck or folium: deck.gl's 3 MB bundle and software WebGL made the first page take
seconds on machines without a GPU, and folium loads Leaflet from a CDN, which fails offline. This
component is a few kilobytes of our own JavaScript (``map.js``, ``map.css`` beside this file),
mounted with Streamlit's components v2 (inline, no iframe). The spec is built by
:mod:`webapp.maps`; a click on a place, or on the map where the spec allows it, comes back as the
component's ``select`` trigger: ``{"id", "lon", "lat"}`` for a place, ``{"lon", "lat"}`` for a point.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

HERE = Path(__file__).parent


@cache
def _component() -> Any:
    return st.components.v2.component(
        "pinggu_map",
        js=(HERE / "map.js").read_text(encoding="utf-8"),
        css=(HERE / "map.css").read_text(encoding="utf-8"),
    )


def map_view(spec: dict[str, Any], *, key: str, on_select: Callable[[], None]) -> Any:
    """Draw the map for ``spec``; ``on_select`` runs (before the rerun) after a click that picks."""
    return _component()(key=key, data=spec, on_select_change=on_select, height="content")


def selected(key: str) -> dict[str, Any] | None:
    """The place or point the last click on map ``key`` picked (inside ``on_select``), if any."""
    state: Any = st.session_state.get(key)
    value = state.get("select") if state is not None and hasattr(state, "get") else None
    return value if isinstance(value, dict) else None
