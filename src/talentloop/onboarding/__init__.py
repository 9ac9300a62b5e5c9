"""Onboarding: checklist templates per org unit and job family and each new hire's checklist, copied from
the template when it starts, with its steps, reminders and who has to act. Decides who counts as a new
hire (``selectors.is_new_hire``); reads mentoring to reach a new hire's mentors."""
