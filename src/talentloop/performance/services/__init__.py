"""Every write of the performance app, by concern: configuration, observations, scores, decisions."""
