"""Typed, validated data models at the planner's edges: places, requests, itineraries."""
