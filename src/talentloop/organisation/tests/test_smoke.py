import pytest

pytestmark = pytest.mark.django_db


def test_employee_sees_self_only_via_api(world, api_client_for):
    c = api_client_for("employee")
    r = c.get("/api/v1/employees")
    assert r.status_code == 200, r.content
    assert r.json()["count"] == 1
    me = c.get("/api/v1/me").json()
    assert me["employee_id"] == world.emp(world.employee).pk


def test_manager_sees_whole_tree(world, api_client_for):
    r = api_client_for("manager").get("/api/v1/employees")
    # manager, lead, mentor, employee
    assert r.json()["count"] == 4


def test_pages_render(world, client_for):
    for persona in ["employee", "manager", "hr", "admin"]:
        c = client_for(persona)
        for url in ["/", "/org/", "/accounts/tokens/", "/more/"]:
            r = c.get(url)
            assert r.status_code == 200, (persona, url, r.status_code)
    c = client_for("hr")
    for url in ["/people/", "/people/new/", "/org/units/", "/org/job-families/", "/audit/",
                f"/people/{world.emp(world.employee).pk}/"]:
        assert c.get(url).status_code == 200, url
