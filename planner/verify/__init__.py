"""Verifying the catalogue against OpenStreetMap: match, discover, review, apply.

``planner pois match`` finds each place among an extract's (or a download's) named features and
proposes a corrected point with its evidence; ``planner pois discover`` drafts the places OSM
knows that the catalogue lacks; operators decide in the proposal file or the operator console;
``planner pois apply`` writes the accepted items through the versioned store.
"""
