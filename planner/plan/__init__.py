"""The planner: a request turned into a solver problem, the steps after the solver, the itinerary and its independent checker."""
