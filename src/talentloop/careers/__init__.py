"""Careers: a ladder of levels per job family and what each level asks (a rating, time in the level
below, skill scores, completed courses), from which a person's promotion path is shown. The highest
domain app: it reads performance, mentoring and learning."""
