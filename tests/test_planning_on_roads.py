"""Plans on a road network: the planner uses the roads when a network is present and says so.

The network is the drawn VALLEY scenario of ``osm_scenarios`` (1 km junction grid, a one-way lane,
a far-off place), built through the real osmnx code path from an OSM XML file the test writes.
"""

from __future__ import annotations

import pytest
from osm_scenarios import VALLEY, scenario_road_settings, scenario_travel_settings, write_osm_xml

from planner import Planner, TripRequest
from planner.data.catalog import build_catalog
from planner.data.seasons import SeasonCalendar
from planner.model import Mode
from planner.plan.checker import violations
from planner.travel.build import build_network
from planner.travel.roads import RoadTravelTimes
from planner.travel.traffic import TrafficSettings


def _place(pid: str, letter: str, *, visitable: bool = True) -> dict:
    lon, lat = VALLEY.lonlat(letter)
    return {
        "id": pid,
        "name_zh": pid,
        "name_en": pid,
        "description_zh": "合成",
        "description_en": "synthetic",
        "category": "village" if visitable else "transport",
        "interests": ["village"] if visitable else [],
        "lon": round(lon, 7),
        "lat": round(lat, 7),
        "confidence": "low",
        "source": "synthetic scenario",
        "opening_hours": "Mo-Su 08:00-18:00" if visitable else None,
        "visit_minutes": 30 if visitable else 0,
        "ticket_cny": 0,
        "visitable": visitable,
    }


@pytest.fixture(scope="module")
def road_planner(tmp_path_factory: pytest.TempPathFactory) -> Planner:
    osm = write_osm_xml(VALLEY, tmp_path_factory.mktemp("osm") / "valley.osm")
    settings = scenario_road_settings()
    network = build_network(settings=settings, osm_file=osm, modes=[Mode.car, Mode.walk])
    travel = RoadTravelTimes(network, scenario_travel_settings(), snap=settings.snap)
    catalog = build_catalog(
        [
            _place("start", "a", visitable=False),
            _place("east", "c"),
            _place("south", "i"),
            _place("far", "P"),
        ],
        source="valley",
    )
    return Planner(catalog, travel, seasons=SeasonCalendar(), traffic=TrafficSettings())


def test_plans_on_roads_record_the_network_and_pass_the_checker(road_planner: Planner):
    """Every leg names the osm provider, follows roads (more than two vertices) and checks out."""
    it = road_planner.plan(
        TripRequest(date="2027-05-12", start="start", start_time="08:00", end_time="18:00")
    )
    assert violations(it, road_planner.catalog, road_planner.travel) == []
    assert it.solver.travel_provider.startswith("osm:")
    on_road = [leg for leg in it.legs if leg.provider.startswith("osm:")]
    assert on_road and all(len(leg.geometry) > 2 for leg in on_road)


def test_road_times_are_the_hand_computed_ones(road_planner: Planner):
    """a -> c along the village road: 2 km at 30 km/h = 240 s (no access time in the test speeds)."""
    it = road_planner.plan(
        TripRequest(
            date="2027-05-12",
            start="start",
            must=["east"],
            avoid=["south", "far"],
            start_time="08:00",
            end_time="09:00",
        )
    )
    assert [s.poi_id for s in it.stops] == ["east"]
    assert it.legs[0].travel_s == 240 and it.legs[0].distance_m == 2000


def test_without_roads_the_plan_is_labelled_an_estimate(road_planner: Planner):
    """With the estimate instead of the network, legs and warnings say estimate."""
    from planner.travel.estimate import EstimatedTravelTimes

    est = Planner(
        road_planner.catalog,
        EstimatedTravelTimes(scenario_travel_settings()),
        seasons=SeasonCalendar(),
        traffic=TrafficSettings(),
    )
    it = est.plan(TripRequest(date="2027-05-12", start="start"))
    assert it.solver.travel_provider == "estimate:v2"
    assert any(w.code == "warn.estimated_travel" for w in it.warnings)


def test_an_estimated_gap_marks_exactly_its_leg(road_planner: Planner):
    """A day that ends at a place outside the network: only the leg across the gap is
    estimated, in the itinerary and in its timeline; the day warns of estimated travel and
    checks out."""
    from planner.present.timeline import timeline

    outside = {**_place("outside", "a", visitable=False), "lon": 117.60, "lat": 40.60}
    catalog = build_catalog(
        [_place("start", "a", visitable=False), _place("east", "c"), outside], source="valley"
    )
    planner = Planner(
        catalog, road_planner.travel, seasons=SeasonCalendar(), traffic=TrafficSettings()
    )
    it = planner.plan(
        TripRequest(
            date="2027-05-12",
            start="start",
            end="outside",
            must=["east"],
            lunch=False,
            start_time="08:00",
            end_time="18:00",
        )
    )
    assert [(leg.from_id, leg.to_id, leg.estimated) for leg in it.legs] == [
        ("start", "east", False),
        ("east", "outside", True),
    ]
    assert [e.estimated for e in timeline(it) if e.kind == "travel"] == [False, True]
    assert any(w.code == "warn.estimated_travel" for w in it.warnings)
    assert violations(it, catalog, planner.travel) == []
