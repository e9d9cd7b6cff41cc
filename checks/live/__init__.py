"""Live re-checks of a sample against DNS now: the plan, the runs and their results."""
