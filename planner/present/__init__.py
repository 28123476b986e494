"""Presenting itineraries: the timeline, exports (GeoJSON, GPX, iCalendar, printable page), share links, text."""
