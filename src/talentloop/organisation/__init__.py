"""The organisation and its people: org units, job families, positions, employees, reporting lines and
employment events (hire to termination), the employee import and the people pickers. It loads the
request's Actor (``hooks``), because only it knows who a user is in the company; every app above reads
people through ``organisation.access`` and ``selectors``."""
