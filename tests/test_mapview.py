"""Specification of the map component's plumbing (webapp/mapview, static/map): what goes to the
browser on each rerun, and that the bundled Leaflet is the npm package's own."""

from __future__ import annotations

import json
from pathlib import Path

from planner import Planner
from webapp import maps, mapview

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static" / "map"


def spec_for(lang: str = "zh") -> dict:
    planner = Planner.from_configs(use_roads=False)
    from webapp.common import district_rings

    return maps.plan_map(planner.catalog, district_rings(), [], lang)


def test_static_parts_split_off_into_keyed_layers():
    spec = spec_for()
    out = mapview.split(spec)
    assert out["areas"] == [] and out["district"]["areas"] == spec["areas"]
    assert all(p["kind"] == "place" for p in out["places"]["points"])
    assert not [p for p in out["points"] if p["kind"] == "place"]
    assert out["base"]["key"].startswith("base-") and out["base"]["areas"]


def test_a_keyed_layer_goes_in_full_once_then_by_key_alone():
    sent: set[str] = set()
    first = mapview.sendable(spec_for(), sent)
    again = mapview.sendable(spec_for(), sent)
    for name in ("base", "district", "places"):
        assert len(first[name]) > 1
        assert again[name] == {"key": first[name]["key"]}
    size = len(json.dumps(first)), len(json.dumps(again))
    assert size[1] < size[0] / 10, size
    english = mapview.sendable(spec_for("en"), sent)  # other names: other layers, sent in full
    assert len(english["places"]) > 1 and english["places"]["key"] != first["places"]["key"]


def test_the_bundled_leaflet_is_the_locked_npm_package():
    lock = json.loads((STATIC / "package-lock.json").read_text(encoding="utf-8"))
    version = lock["packages"]["node_modules/leaflet"]["version"]
    assert json.loads((STATIC / "package.json").read_text())["dependencies"]["leaflet"] == version
    bundled = (STATIC / "leaflet" / "leaflet.js").read_bytes()
    assert f"Leaflet {version}".encode() in bundled[:200]
    installed = STATIC / "node_modules" / "leaflet" / "dist" / "leaflet.js"
    assert installed.exists(), "run `make lint` (npm ci in static/map) first"
    assert installed.read_bytes() == bundled, "refresh the copy with `make js`"
    for name in ("leaflet.css",):
        assert (STATIC / "node_modules" / "leaflet" / "dist" / name).read_bytes() == (
            STATIC / "leaflet" / name
        ).read_bytes()


def test_streamlit_serves_the_map_from_static():
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "enableStaticServing = true" in config
    assert "app/static/map/map.js" in mapview.LOADER
    assert len(mapview.code_version()) == 12


def test_the_tile_server_is_configurable_or_off(monkeypatch):
    assert maps.tile_source() == (maps.TILES, maps.ATTRIBUTION)
    monkeypatch.setenv("PINGGU_TILE_URL", "http://tiles.local/{z}/{x}/{y}.png")
    monkeypatch.setenv("PINGGU_TILE_ATTRIBUTION", "© local tiles")
    assert spec_for()["tiles"] == "http://tiles.local/{z}/{x}/{y}.png"
    assert spec_for()["attribution"] == "© local tiles"
    monkeypatch.setenv("PINGGU_TILE_URL", "")
    assert spec_for()["tiles"] is None
