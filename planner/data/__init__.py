"""The data the planner reads: configs, the catalogue and its store, the boundary, coordinates, hours, holidays, seasons."""
