"""Pages of the Streamlit app (layout only; decisions are the planner's)."""
