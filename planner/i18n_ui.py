"""Labels of the user interfaces (CLI, web app), in Chinese and English.

Merged into :data:`planner.i18n.MESSAGES`; always look texts up with :func:`planner.i18n.t`.
"""

from __future__ import annotations

UI_MESSAGES: dict[str, dict[str, str]] = {
    # --- labels (CLI and app)
    "label.app_title": {"en": "Pinggu Planner", "zh": "平谷游线规划"},
    "label.tagline": {
        "en": "Peach blossoms, Jinhai Lake, gorges and farm villages: a verified day plan in one click",
        "zh": "桃花、金海湖、峡谷与乡村：一键生成经过校验的一日游线",
    },
    "label.date": {"en": "Date", "zh": "日期"},
    "label.start": {"en": "Start", "zh": "出发地"},
    "label.end": {"en": "End", "zh": "结束地"},
    "label.same_as_start": {"en": "Same as start", "zh": "同出发地"},
    "label.from": {"en": "Leave at", "zh": "出发时间"},
    "label.to": {"en": "Back by", "zh": "返回时间"},
    "label.interests": {"en": "Interests", "zh": "兴趣"},
    "label.mode": {"en": "Travel by", "zh": "出行方式"},
    "label.must": {"en": "Must see", "zh": "必去"},
    "label.avoid": {"en": "Avoid", "zh": "避开"},
    "label.plan": {"en": "Plan my day", "zh": "生成行程"},
    "label.language": {"en": "Language", "zh": "语言"},
    "label.itinerary": {"en": "Itinerary", "zh": "行程"},
    "label.left_out": {"en": "Left out", "zh": "未安排"},
    "label.arrive": {"en": "Arrive", "zh": "到达"},
    "label.visit": {"en": "Visit", "zh": "游览"},
    "label.leave": {"en": "Leave", "zh": "离开"},
    "label.wait": {"en": "Wait", "zh": "等候"},
    "label.ticket": {"en": "Ticket", "zh": "门票"},
    "label.why": {"en": "Why", "zh": "理由"},
    "label.place": {"en": "Place", "zh": "地点"},
    "label.reason": {"en": "Reason", "zh": "原因"},
    "label.travel": {"en": "Travel", "zh": "路程"},
    "label.totals": {
        "en": "{stops} stops · {travel} on the road ({km} km) · tickets ¥{tickets} · back at {end}",
        "zh": "{stops} 个景点 · 路上 {travel}（{km} 公里）· 门票 ¥{tickets} · {end} 返回",
    },
    "label.provider": {"en": "Travel times: {provider}", "zh": "行程时间来源：{provider}"},
    "label.free": {"en": "free", "zh": "免费"},
    "label.unknown": {"en": "unknown", "zh": "未知"},
    "label.start_point": {"en": "Start", "zh": "起点"},
    "label.end_point": {"en": "End", "zh": "终点"},
    "label.no_plan_yet": {
        "en": "Choose your day on the left and press the button.",
        "zh": "在左侧选择行程条件，然后点击按钮。",
    },
    "label.estimate_note": {
        "en": "Dashed lines: straight-line estimates, not the road.",
        "zh": "虚线为直线估算，并非实际道路。",
    },
    "label.district": {"en": "Pinggu District", "zh": "平谷区"},
    "label.hours": {"en": "Hours", "zh": "开放时间"},
    "label.coords_estimated": {"en": "location estimated", "zh": "位置为估算"},
    "error.input": {"en": "Please check your input: {message}", "zh": "请检查输入：{message}"},
    "error.config": {
        "en": "The place data has problems: {message}",
        "zh": "景点数据有问题：{message}",
    },
}
