"""Small GTFS feeds written into temporary folders, as the transit tests' fixtures.

The feed ``TWO_LINES`` is drawn here; every time in the tests is computed from this drawing::

    A Town ------ L1 ------ B Junction ------ L1 ------ C Lake
    (117.10, 40.14)         (117.16, 40.14)             (117.22, 40.14)
                                  |
                                  L2 (every hour 08:30-10:30, from frequencies.txt)
                                  |
                            D Gorge (117.16, 40.20)

    L1 (timetabled), service WK:  A 08:00  B 08:15  C 08:35
                                  A 10:00  B 10:15  C 10:35
                                  A 23:50  B 24:05  C 24:25   (past midnight: 00:05, 00:25)
    L2 (headways), service WK:    B +0 min, D +20 min; leaves B 08:30, 09:30, 10:30
    WK: Monday to Friday in 2027, not on Monday 2027-04-19 (a holiday: calendar_dates type 2),
        but on Saturday 2027-04-17 (a make-up working day: type 1).

Stops lie 5 km or more apart, beyond walking, so every journey rides.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

AGENCY = "agency_id,agency_name,agency_url,agency_timezone\nT,Test Bus,https://example.org,Asia/Shanghai\n"

STOPS = """stop_id,stop_name,stop_name_en,stop_lat,stop_lon
A,城镇,A Town,40.14,117.10
B,路口,B Junction,40.14,117.16
C,湖,C Lake,40.14,117.22
D,峡谷,D Gorge,40.20,117.16
"""

ROUTES = """route_id,agency_id,route_short_name,route_long_name,route_type,source,confidence,estimated
L1,T,L1,Town - Lake,3,a printed timetable,high,0
L2,T,L2,Junction - Gorge,3,a headway seen at the stop,low,1
"""

TRIPS = """route_id,service_id,trip_id,trip_headsign
L1,WK,t1,C Lake
L1,WK,t2,C Lake
L1,WK,t3,C Lake
L2,WK,f1,D Gorge
"""

STOP_TIMES = """trip_id,arrival_time,departure_time,stop_id,stop_sequence
t1,08:00:00,08:00:00,A,1
t1,08:15:00,08:15:00,B,2
t1,08:35:00,08:35:00,C,3
t2,10:00:00,10:00:00,A,1
t2,10:15:00,10:15:00,B,2
t2,10:35:00,10:35:00,C,3
t3,23:50:00,23:50:00,A,1
t3,24:05:00,24:05:00,B,2
t3,24:25:00,24:25:00,C,3
f1,00:00:00,00:00:00,B,1
f1,00:20:00,00:20:00,D,2
"""

CALENDAR = """service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date
WK,1,1,1,1,1,0,0,20270101,20271231
"""

CALENDAR_DATES = """service_id,date,exception_type
WK,20270419,2
WK,20270417,1
"""

FREQUENCIES = """trip_id,start_time,end_time,headway_secs,exact_times
f1,08:30:00,10:31:00,3600,1
"""

TWO_LINES: dict[str, str] = {
    "agency.txt": AGENCY,
    "stops.txt": STOPS,
    "routes.txt": ROUTES,
    "trips.txt": TRIPS,
    "stop_times.txt": STOP_TIMES,
    "calendar.txt": CALENDAR,
    "calendar_dates.txt": CALENDAR_DATES,
    "frequencies.txt": FREQUENCIES,
}

POINTS = {"A": (117.10, 40.14), "B": (117.16, 40.14), "C": (117.22, 40.14), "D": (117.16, 40.20)}
"""Points exactly at the stops: no walking at either end."""

TUESDAY = dt.date(2027, 4, 20)
HOLIDAY_MONDAY = dt.date(2027, 4, 19)
MAKE_UP_SATURDAY = dt.date(2027, 4, 17)
SUNDAY = dt.date(2027, 4, 18)


def hms(text: str) -> int:
    """``"08:35"`` or ``"24:05:00"`` -> seconds since midnight."""
    parts = [int(p) for p in text.split(":")] + [0]
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def write_feed(folder: Path, files: dict[str, str] | None = None, **changes: str | None) -> Path:
    """Write a feed into ``folder``: ``files`` (default :data:`TWO_LINES`) with ``changes``.

    A change names a file with ``_`` for ``.`` (``stops_txt="..."``); None leaves the file out.
    """
    contents = dict(TWO_LINES if files is None else files)
    for key, text in changes.items():
        name = key.removesuffix("_txt") + ".txt"
        if text is None:
            contents.pop(name, None)
        else:
            contents[name] = text
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in contents.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
