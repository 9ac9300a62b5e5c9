"""Access matrix rows: the people picker and giving people a login. Statuses written by hand:

- every signed-in person may search for people to pick, but only within the scope the form names
  (the answer is filtered, never refused): the picker's page and endpoint answer 200 to everyone
  signed in, and an unknown scope is a 404 (web) or 422 (API);
- what each persona finds is tested in organisation/tests/test_people_search.py;
- a person without a login is given one by HR covering them or by the admin (404 for everyone else);
  for a person who has one already, the page sends those two back to the profile (302).

Columns: anonymous, employee, manager, mentor, hr, admin, outsider.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

#                                                                     anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("people/search/", "GET", "/people/search/?q=lead",          (302, 200, 200, 200, 200, 200, 200)),
    Row("people/search/", "GET", "/people/search/?q=lead&scope=colleagues",
        (302, 200, 200, 200, 200, 200, 200), label="colleagues"),
    Row("people/search/", "GET", "/people/search/?q=lead&scope=bogus",
        (302, 404, 404, 404, 404, 404, 404), label="unknown scope"),
    Row("people/<int:pk>/account/", "GET", "/people/{mx_unlinked}/account/", (302, 404, 404, 404, 200, 200, 404)),
    Row("people/<int:pk>/account/", "POST", "/people/{mx_unlinked}/account/", (302, 404, 404, 404, 200, 200, 404),
        body={"username": "", "existing": ""}, label="nothing chosen"),
    Row("people/<int:pk>/account/", "GET", "/people/{employee}/account/", (302, 404, 404, 404, 302, 302, 404),
        label="already has a login"),
    # A new invitation: HR covering the person and the admin (the employee has chosen a password, so
    # nothing is sent and they are sent back to the profile).
    Row("people/<int:pk>/account/invite/", "POST", "/people/{employee}/account/invite/",
        (302, 404, 404, 404, 302, 302, 404), body={}),
    Row("people/<int:pk>/account/invite/", "POST", "/people/{mx_unlinked}/account/invite/",
        (302, 404, 404, 404, 404, 404, 404), body={}, label="no login yet"),
]

API = [
    Row("/api/v1/people/search", "GET", "/api/v1/people/search?q=lead", (401, 200, 200, 200, 200, 200, 200)),
    Row("/api/v1/people/search", "GET", "/api/v1/people/search?q=lead&scope=bogus",
        (401, 422, 422, 422, 422, 422, 422), label="unknown scope"),
]


def keys(world) -> dict:
    from talentloop.testing.factories import EmployeeFactory

    unlinked = EmployeeFactory(org_unit=world.platform, job_family=world.engineering, employee_number="MX-NOLOGIN",
                               manager=world.emp(world.lead))
    return {"mx_unlinked": unlinked.pk}
