"""Learning: the content library (courses, articles, the mentor resource library), training sessions and
sign-ups, completions, dismissals, the behaviour events recommendations learn from, and the
recommendations themselves. Reads onboarding, mentoring and performance; turns performance's
complaint signal into a behaviour event."""
