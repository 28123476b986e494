"""The solver: the plain orienteering problem, the one adapter around OR-Tools, and the search around it."""
