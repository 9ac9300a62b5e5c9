"""Page links keep the reader's filters: they are built with Django's ``{% querystring %}`` from the
request's own query string, with only the page number replaced."""

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_pager_component_replaces_only_the_page():
    request = RequestFactory().get("/things/", {"kind": "suggestion", "page": "2"})
    page_obj = Paginator(range(30), 10).page(2)
    html = render_to_string("components/pager.html", {"page_obj": page_obj}, request=request)
    assert 'href="?kind=suggestion&amp;page=1"' in html
    assert 'href="?kind=suggestion&amp;page=3"' in html


def test_employee_list_next_page_keeps_the_filter(world, client_for):
    EmployeeFactory.create_batch(30, org_unit=world.company, status="active")
    html = client_for("hr").get("/people/", {"status": "active"}).content.decode()
    assert 'href="?status=active&amp;page=2"' in html
