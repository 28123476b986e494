"""Specification of places' comfortable capacity (issue "festival crowds", part 1): a place's own
figures in configs/pois.yaml, else its category's reasoned estimate in configs/crowds.yaml, and
always said which."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from planner.cli.main import app
from planner.data.catalog import build_catalog, load_catalog
from planner.data.crowds import capacity_of, load_crowds
from planner.errors import ConfigError, RequestError
from planner.plan.crowding import outlook, read_forecast

ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_catalog(ROOT / "configs" / "pois.yaml")
CROWDS = load_crowds(ROOT / "configs" / "crowds.yaml")


def entry(pid: str, **changes: object) -> dict:
    return CATALOG.get(pid).model_dump(mode="json", exclude_none=True) | changes


def test_every_visitable_category_has_a_reasoned_estimate():
    visited = {p.category for p in CATALOG if p.visitable}
    assert visited <= set(CROWDS.default_capacity)
    assert all(c.why.startswith("estimate") for c in CROWDS.default_capacity.values())


def test_a_place_without_figures_takes_its_categorys_estimate_and_says_so():
    cap = capacity_of(CATALOG.get("jinhai-lake"), CROWDS)
    assert cap is not None and cap.at_once_estimated and cap.per_hour_estimated
    assert (cap.at_once, cap.per_hour) == (
        CROWDS.default_capacity[CATALOG.get("jinhai-lake").category].at_once,
        CROWDS.default_capacity[CATALOG.get("jinhai-lake").category].per_hour,
    )
    assert cap.why.startswith("lake: estimate")
    assert capacity_of(CATALOG.get("pinggu-bus-station"), CROWDS) is None  # not visited


def test_a_places_own_figures_come_first():
    own = build_catalog(
        [entry("jinhai-lake", capacity_at_once=12000, capacity_per_hour=3500)], source="t"
    )
    cap = capacity_of(own.get("jinhai-lake"), CROWDS)
    assert (cap.at_once, cap.per_hour, cap.at_once_estimated, cap.per_hour_estimated) == (
        12000,
        3500,
        False,
        False,
    )
    assert cap.why == "catalogue"
    half = build_catalog([entry("shilinxia", capacity_per_hour=900)], source="t").get("shilinxia")
    cap = capacity_of(half, CROWDS)
    assert cap.per_hour == 900 and not cap.per_hour_estimated and cap.at_once_estimated


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity_at_once": 0}, "capacity_at_once"),
        ({"capacity_per_hour": -5}, "capacity_per_hour"),
        ({"capacity_at_once": 50, "visitable": False, "visit_minutes": 0}, "capacity_at_once"),
    ],
)
def test_bad_capacity_names_the_field(changes, field):
    with pytest.raises(ConfigError) as err:
        build_catalog([entry("jinhai-lake", **changes)], source="t")
    assert field in str(err.value)


def test_a_bad_crowds_file_names_the_key(tmp_path):
    bad = {"version": 1, "default_capacity": {"lake": {"at_once": 100, "per_hour": 50}}}
    (tmp_path / "crowds.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(ConfigError, match="why"):
        load_crowds(tmp_path / "crowds.yaml")


def test_the_catalogue_list_shows_capacity_and_marks_estimates():
    result = CliRunner(env={"COLUMNS": "250"}).invoke(app, ["pois", "list", "--category", "lake"])
    assert result.exit_code == 0, result.output
    lake = CROWDS.default_capacity[CATALOG.get("jinhai-lake").category]
    assert f"~{lake.at_once} / ~{lake.per_hour}/h" in result.output


def test_the_operator_table_edits_capacity_as_whole_numbers():
    from webapp.operators import TABLE_FIELDS, row_to_entry

    assert {"capacity_at_once", "capacity_per_hour"} <= set(TABLE_FIELDS)
    row = entry("jinhai-lake", capacity_at_once=4000.0, capacity_per_hour=None)
    out = row_to_entry({k: v for k, v in row.items() if k in TABLE_FIELDS}, None)
    assert out["capacity_at_once"] == 4000 and isinstance(out["capacity_at_once"], int)
    assert "capacity_per_hour" not in out


# ------------------------------------------------------------------ expected crowding by hour
FESTIVAL = dt.date(2027, 4, 17)


def test_the_festival_curve_makes_the_headline_places_busy_at_mid_morning():
    lake = CATALOG.get("jinhai-lake")
    o = outlook(lake, FESTIVAL, settings=CROWDS, day_type="festival")
    assert o is not None and o.source == "curve:festival+estimated capacity"
    peak = o.peak()
    assert peak.hour == 11 and peak.load == pytest.approx(
        CROWDS.load_by_hour["festival"][11] * lake.popularity
    )
    assert peak.wait_min == pytest.approx(
        CROWDS.gate_minutes_per_overload * (peak.load - 1), abs=0.1
    )
    assert o.busy_spans() == [(9, 16)]
    quiet = outlook(lake, dt.date(2027, 4, 14), settings=CROWDS, day_type="weekday")
    assert quiet.busy_spans() == [] and all(h.wait_min == 0 for h in quiet.hours)


def test_a_forecast_gives_the_load_and_a_queue_that_carries_over(tmp_path):
    """Per hour the gate lets in 900 (the place's own figure): 1,500 arrive at 10:00 (600 wait
    into the next hour: 40 min), 1,200 at 11:00 (600 + 1,200 - 900 = 900 wait: 60 min), 300 at
    12:00 (900 + 300 - 900 = 300: 20 min)."""
    own = build_catalog(
        [entry("shilinxia", capacity_at_once=2000, capacity_per_hour=900)], source="t"
    )
    path = tmp_path / "forecast.csv"
    rows = ["date,hour,poi_id,name_en,name_zh,arrivals,visitors,mean_on_site"]
    for hour, arrivals, on_site in ((10, 1500, 1800), (11, 1200, 2600), (12, 300, 1500)):
        rows.append(f"2027-04-17,{hour},shilinxia,Shilinxia,石林峡,{arrivals},{arrivals},{on_site}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    o = outlook(
        own.get("shilinxia"),
        FESTIVAL,
        settings=CROWDS,
        day_type="festival",
        forecast=read_forecast(path),
    )
    assert o.source == "forecast"
    by_hour = {h.hour: h for h in o.hours}
    assert [by_hour[h].wait_min for h in (9, 10, 11, 12, 13)] == [0, 40, 60, 20, 0]
    assert [by_hour[h].load for h in (10, 11, 12)] == [0.9, 1.3, 0.75]
    assert o.busy_spans() == [(10, 12)]


def shilinxia_counts(counts: dict[int, tuple[float, float]], **hours: object):
    """Shilinxia's outlook (its gate lets in 900 an hour, 2,000 on site in comfort) from these
    counts per hour: ``{hour: (arrivals, mean_on_site)}``."""
    from planner.plan.crowding import Forecast

    own = build_catalog(
        [entry("shilinxia", capacity_at_once=2000, capacity_per_hour=900)], source="t"
    )
    cells = {(FESTIVAL, "shilinxia", h): c for h, c in counts.items()}
    return outlook(
        own.get("shilinxia"),
        FESTIVAL,
        settings=CROWDS,
        day_type="festival",
        forecast=Forecast(cells),
        **hours,  # type: ignore[arg-type]
    )


def test_a_queue_longer_than_the_most_visitors_wait_turns_the_rest_away():
    """10,000 arrive at 10:00 at a gate letting in 900 an hour: a fluid queue without end would
    say 606 min at 10:00 and still hours at 17:00 with nobody there. At most MAX_QUEUE_MIN (2
    hours) of queue forms, the rest are turned away, and it drains at the gate's pace."""
    from planner.plan.crowding import MAX_QUEUE_MIN

    assert MAX_QUEUE_MIN == 120
    o = shilinxia_counts({10: (10_000, 1500)})
    by_hour = {h.hour: h.wait_min for h in o.hours}
    assert [by_hour[h] for h in (9, 10, 11, 12, 17)] == [0, 120, 60, 0, 0]
    steady = shilinxia_counts({h: (1800, 1500) for h in range(24)})
    assert max(h.wait_min for h in steady.hours) == MAX_QUEUE_MIN  # 900 more an hour, capped


def test_no_wait_runs_past_midnight():
    """A queue joined in the day's last hour ends by midnight."""
    o = shilinxia_counts({h: (5000, 100) for h in range(24)}, hours=range(24))
    assert {h.hour: h.wait_min for h in o.hours if h.hour >= 22} == {22: 120, 23: 60}


def test_the_days_curve_is_held_to_the_same_longest_wait():
    """A curve far over capacity (500 % at 240 min per 100 % over) still queues 2 hours at most."""
    from planner.data.crowds import CrowdSettings
    from planner.plan.crowding import MAX_QUEUE_MIN

    packed = CrowdSettings(
        default_capacity=CROWDS.default_capacity,
        load_by_hour={"festival": {11: 5.0}},
        gate_minutes_per_overload=240,
    )
    lake = build_catalog([entry("jinhai-lake", popularity=1.0)], source="t").get("jinhai-lake")
    o = outlook(lake, FESTIVAL, settings=packed, day_type="festival")
    assert {h.hour: h.wait_min for h in o.hours}[11] == MAX_QUEUE_MIN


def test_a_bad_forecast_row_names_the_file_and_row(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "date,hour,poi_id,arrivals,mean_on_site\n2027-04-17,ten,shilinxia,1,1\n", encoding="utf-8"
    )
    with pytest.raises(RequestError, match=r"--forecast.*f.csv row 2"):
        read_forecast(path)


def test_planner_crowds_lists_the_busy_hours_of_a_festival_day():
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, ["crowds", "--date", "2027-04-17", "--json", "--top", "3"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["date"] == "2027-04-17" and body["day_type"] == "festival"
    assert len(body["places"]) == 3 and body["places"][0]["busy"] == ["09:00-16:00"]
    bad = CliRunner().invoke(app, ["crowds", "--date", "17/04/2027"])
    assert bad.exit_code == 2 and "--date" in bad.output


def test_every_door_reads_the_same_outlook():
    """The CLI's JSON is the planner's own outlook (Planner.crowd_outlook, used by the app)."""
    from planner import Planner

    planner = Planner.from_configs(use_roads=False)
    mine = planner.crowd_outlook("金海湖", FESTIVAL)
    result = CliRunner().invoke(
        app, ["crowds", "--date", "2027-04-17", "--place", "jinhai-lake", "--json"]
    )
    (row,) = json.loads(result.output)["places"]
    assert [(h["hour"], h["load"], h["wait_min"]) for h in row["hours"]] == [
        (h.hour, h.load, h.wait_min) for h in mine.hours
    ]


def test_a_place_card_shows_its_busy_hours_and_the_queue_when_you_arrive():
    from planner import Planner
    from webapp.plan_view import crowd_strip

    o = Planner.from_configs(use_roads=False).crowd_outlook("jinhai-lake", FESTIVAL)
    html = crowd_strip(o, 11, "en")
    assert html.count("pp-crowd-cell") == len(o.hours) and html.count("pp-crowd-here") == 1
    assert "Busy 09:00–16:00" in html and "min of queuing at the gate" in html
    assert "estimate for this kind of day" in html
    assert "拥挤时段" in crowd_strip(o, 11, "zh")
    blind = crowd_strip(o, 11, "en", planned=False)  # a plan that ignores crowds says so
    assert "not in this plan's times (crowds ignored)" in blind and "本行程未计入" in crowd_strip(
        o, 11, "zh", planned=False
    )
    assert "No busy hours" in crowd_strip(
        o.__class__(
            o.poi_id, o.date, o.source, tuple(h.__class__(h.hour, 0.1, 0.0, False) for h in o.hours)
        ),
        11,
        "en",
    )


def test_the_http_api_gives_the_same_crowds_as_the_cli(tmp_path):
    from test_api import client_for, copy_configs

    with client_for(copy_configs(tmp_path / "configs")) as client:
        got = client.get("/v1/crowds", params={"date": "2027-04-17"})
        assert got.status_code == 200, got.text
        cli = CliRunner().invoke(app, ["crowds", "--date", "2027-04-17", "--json", "--top", "999"])
        assert got.json() == json.loads(cli.output)
        bad = client.get("/v1/crowds", params={"date": "17/04/2027"})
        assert bad.status_code == 422 and "date" in bad.text
        unknown = client.get("/v1/crowds", params={"date": "2027-04-17", "poi": "atlantis"})
        assert 400 <= unknown.status_code < 500 and "atlantis" in unknown.text


def test_operators_see_the_districts_expected_load_for_a_date(tmp_path, monkeypatch):
    """The console's Crowds tab: a festival Saturday's visitors on site across the district by
    hour, and per place its busy hours and load hour by hour (the planner's own outlook)."""
    import shutil

    configs = tmp_path / "configs"
    shutil.copytree(
        ROOT / "configs", configs, ignore=shutil.ignore_patterns(".history", "proposals")
    )
    monkeypatch.setenv("PINGGU_CONFIGS", str(configs))
    monkeypatch.setenv("PINGGU_OPERATOR_PASSWORD", "x")

    from test_osm_review import console

    at = console()  # signed in, in Chinese (the default)
    at.date_input(key="op_crowd_date").set_value(FESTIVAL).run()
    assert not at.exception, at.exception
    from planner.i18n.texts import t

    assert any(t("op.day_festival", "zh") in m.value for m in at.markdown)
    busy = t("op.crowds_busy", "zh")
    (table,) = [d for d in at.dataframe if busy in d.value.columns]
    rows = table.value
    from planner import Planner

    _, outlooks = Planner.from_configs(configs, use_roads=False).crowd_day(FESTIVAL)
    assert len(rows) == len(outlooks)
    first = outlooks[0]
    assert rows.iloc[0]["11"] == round(100 * next(h.load for h in first.hours if h.hour == 11))
    assert rows.iloc[0][busy] == ", ".join(f"{a:02d}-{b:02d}" for a, b in first.busy_spans())


def test_an_uploaded_forecast_is_read_from_its_text_and_a_bad_row_is_named():
    """What the console's upload reads: the same columns as ``planner forecast`` writes; the
    places it counts take its figures, and a bad row names the field and the row."""
    from planner import Planner
    from planner.plan.crowding import parse_forecast

    text = "date,hour,poi_id,arrivals,mean_on_site\n" + "".join(
        f"{FESTIVAL},{h},jinhai-lake,100,9000\n" for h in range(9, 12)
    )
    forecast = parse_forecast(text, name="counts.csv", field="forecast")
    _, outlooks = Planner.from_configs(use_roads=False).crowd_day(FESTIVAL, forecast=forecast)
    lake = next(o for o in outlooks if o.poi_id == "jinhai-lake")
    assert lake.source.startswith("forecast") and lake.busy_spans() == [(9, 12)]
    assert all(o.source.startswith("curve") for o in outlooks if o.poi_id != "jinhai-lake")
    with pytest.raises(RequestError) as bad:
        parse_forecast(
            text + f"{FESTIVAL},ten,jinhai-lake,1,1\n", name="counts.csv", field="forecast"
        )
    assert bad.value.field == "forecast" and "counts.csv row 5" in str(bad.value)


# ------------------------------------------------------------------ crowd-aware plans
FESTIVAL_SATURDAY = "2027-04-17"


@pytest.fixture(scope="module")
def festival_planner():
    from planner import Planner

    return Planner.from_configs(use_roads=False)


@pytest.mark.parametrize("seed", range(4))
def test_every_crowd_aware_plan_claims_exactly_the_queues_its_hours_give(festival_planner, seed):
    """Each stop's queue is the one the crowd figures give for the hour it is joined, the visit
    starts when the queue ends, and the plan passes the independent checker (which the planner
    ran before returning it)."""
    import random

    from planner import Interest, TripRequest

    rng = random.Random(seed)
    request = TripRequest(
        date=FESTIVAL_SATURDAY,
        start="pinggu-bus-station",
        interests=rng.sample(list(Interest), rng.randint(1, 3)),
        start_time=dt.time(rng.choice([7, 8, 9])),
        end_time=dt.time(rng.choice([16, 17, 18])),
        seed=seed,
        time_limit_s=0.3,
    )
    it = festival_planner.plan(request)
    assert it.crowd_aware  # a festival day: on by default
    crowds = festival_planner.crowds_for(request)
    for stop in it.stops:
        if stop.kind == "picnic":
            continue
        join = stop.visit_start - dt.timedelta(seconds=stop.queue_s)
        assert stop.arrival <= join <= stop.visit_start
        assert stop.queue_s == crowds.queue_s(stop.poi_id, join)
        hour = crowds.hour(stop.poi_id, stop.visit_start)
        assert stop.crowd_load == (hour.load if hour else None)


def test_a_day_without_any_crowd_cost_plans_exactly_as_the_blind_one(festival_planner):
    """On a quiet weekday no place reaches its busy load: crowd-aware or not, the same plan
    (only the flag and the loads it shows differ)."""
    from planner import TripRequest

    base = TripRequest(date="2027-07-14", start="pinggu-bus-station", interests=["lake", "gorge"])
    blind = festival_planner.plan(base.model_copy(update={"crowds": False}))
    aware = festival_planner.plan(base.model_copy(update={"crowds": True}))
    assert aware.crowd_aware and not blind.crowd_aware
    strip = {"crowd_load"}
    assert [s.model_dump(exclude=strip) for s in aware.stops] == [
        s.model_dump(exclude=strip) for s in blind.stops
    ]
    assert aware.legs == blind.legs


def test_crowd_aware_plans_dodge_the_peak_where_the_day_allows(festival_planner):
    """Over a set of festival requests, planning around the crowds keeps more of the
    crowd-discounted value than planning blind and meeting the same crowds (a blind plan also
    pays queues it never planned for, left out of its side here), and no single plan loses
    more than 1 % to its blind twin (the search is a heuristic)."""
    from planner import TripRequest

    aware_total = blind_total = 0.0
    for interests in (["blossom", "lake"], ["blossom"], ["lake", "gorge"], ["blossom", "culture"]):
        req = TripRequest(
            date=FESTIVAL_SATURDAY,
            start="pinggu-bus-station",
            interests=interests,
            time_limit_s=0.5,
        )
        crowds = festival_planner.crowds_for(req.model_copy(update={"crowds": True}))
        aware = festival_planner.plan(req.model_copy(update={"crowds": True}))
        blind = festival_planner.plan(req.model_copy(update={"crowds": False}))
        met = sum(s.value * crowds.value_share(s.poi_id, s.visit_start) for s in blind.stops)
        assert aware.totals.value >= 0.99 * met, interests
        aware_total += aware.totals.value
        blind_total += met
    assert aware_total > blind_total


def day_crowds_of(o) -> object:
    from planner.plan.crowding import DayCrowds

    return DayCrowds(
        settings=CROWDS, day_types={FESTIVAL: "festival"}, outlooks={(o.poi_id, FESTIVAL): o}
    )


def test_a_queue_without_busy_hours_still_says_why():
    """1,110 arrive at 10:00 at a gate letting in 900 an hour while 100 are on site at once:
    the place is never busy, yet a stop joined at 10:30 queues 14 min (210 people ahead; the
    stop shows "+14 min wait"), and its why says where the wait comes from, in both languages.
    No queue, no crowd reason."""
    from planner.plan.crowding import crowd_reasons

    o = shilinxia_counts({10: (1110, 100), 11: (0, 100)})
    assert o.busy_spans() == [] and {h.hour: h.wait_min for h in o.hours}[10] == 14
    crowds = day_crowds_of(o)
    join = dt.datetime(2027, 4, 17, 10, 30)
    start = join + dt.timedelta(minutes=14)
    queue_s = crowds.queue_s("shilinxia", join)
    assert queue_s == 14 * 60
    (why,) = crowd_reasons(crowds, "shilinxia", start, queue_s)
    assert why.code == "why.crowd_queue"
    assert "About 14 min queuing at the gate" in why.en and "10:30" in why.en
    assert "not crowded" in why.en and "排队约 14 分钟" in why.zh and "10:30" in why.zh
    assert crowd_reasons(crowds, "shilinxia", dt.datetime(2027, 4, 17, 15), 0) == []


def test_a_queue_outside_the_busy_hours_says_why_too():
    """Busy 11:00-12:00 only, yet the gate queue lasts into the afternoon: a stop at the
    longest queue, outside the busy hours, says both."""
    from planner.plan.crowding import crowd_reasons

    o = shilinxia_counts({10: (900, 500), 11: (900, 1800), 13: (2700, 500)})
    assert o.busy_spans() == [(11, 12)]
    crowds = day_crowds_of(o)
    join = dt.datetime(2027, 4, 17, 13, 5)
    queue_s = crowds.queue_s("shilinxia", join)
    assert queue_s == 120 * 60  # the peak of the day's queue: nothing saved against it
    (why,) = crowd_reasons(crowds, "shilinxia", join + dt.timedelta(seconds=queue_s), queue_s)
    assert why.code == "why.crowd_outside_queue"
    assert "outside the busy hours; still about 120 min at the gate" in why.en
    assert "排队约 120 分钟" in why.zh


def test_a_planned_stop_that_queues_in_a_quiet_place_says_why(festival_planner):
    """The same end to end: a forecast whose arrivals outrun Jinhai Lake's gate every hour
    while few are on site, a plan that must visit it: the stop queues and says why."""
    from planner import TripRequest
    from planner.plan.crowding import parse_forecast

    text = "date,hour,poi_id,arrivals,mean_on_site\n" + "".join(
        f"{FESTIVAL},{h}:00,jinhai-lake,2300,100\n" for h in range(24)
    )
    festival_planner.forecast = parse_forecast(text, name="counts.csv")
    try:
        it = festival_planner.plan(
            TripRequest(
                date=FESTIVAL_SATURDAY,
                start="pinggu-bus-station",
                must=["jinhai-lake"],
                time_limit_s=0.3,
            )
        )
    finally:
        festival_planner.forecast = None
    (lake,) = [s for s in it.stops if s.poi_id == "jinhai-lake"]
    assert lake.queue_s >= 60 and lake.crowd_load is not None and lake.crowd_load < 0.8
    assert "why.crowd_queue" in {r.code for r in lake.why}


def test_a_place_closed_on_the_day_has_no_crowds():
    """The ski resort opens for its season only (Dec 01-Mar 10): on a festival day in April it
    is in no one's crowd table, and in January it is."""
    from planner import Planner

    planner = Planner.from_configs(use_roads=False)
    _, april = planner.crowd_day(FESTIVAL)
    assert "yuyang-ski-resort" not in {o.poi_id for o in april}
    _, january = planner.crowd_day(dt.date(2027, 1, 16))
    assert "yuyang-ski-resort" in {o.poi_id for o in january}
