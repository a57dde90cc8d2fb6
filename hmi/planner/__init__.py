"""The planner's desk: batch upload, orders, drafting previews, plans and publishing."""
