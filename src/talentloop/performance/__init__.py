"""Performance: metrics, scorecards, observations and the scores computed from them, ratings and their
changes, feedback, reviews and review cycles, appeals, improvement plans, alerts, root-cause reviews,
webhook sources and work results. The lowest domain app: what the apps above add to it (a mentor's
read of scores, skill tests, complaints) goes through ``performance.signals``."""
