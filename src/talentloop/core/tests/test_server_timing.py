"""The server's own accounting of each answer's CPU (what the load benchmarks read)."""

import re
import time

import pytest
from django.http import HttpResponse
from django.test import override_settings

from talentloop.core.middleware import ServerTimingMiddleware

pytestmark = pytest.mark.django_db


def test_off_by_default(client):
    assert "Server-Timing" not in client.get("/healthz").headers


@override_settings(TALENTLOOP_SERVER_TIMING=True)
def test_each_answer_says_its_cpu_and_time(client):
    header = client.get("/healthz").headers["Server-Timing"]
    found = re.fullmatch(r"cpu;dur=([0-9.]+), total;dur=([0-9.]+)", header)
    assert found, header
    cpu, total = float(found.group(1)), float(found.group(2))
    assert cpu >= 0 and total > 0


@override_settings(TALENTLOOP_SERVER_TIMING=True)
def test_cpu_is_the_requests_own_work(rf):
    """A view that burns CPU is counted; one that only waits is not (the thread's CPU, not the clock)."""
    def busy(_request):
        end = time.thread_time() + 0.03
        while time.thread_time() < end:
            pass
        return HttpResponse("ok")

    def idle(_request):
        time.sleep(0.03)
        return HttpResponse("ok")

    def cpu_of(view) -> tuple[float, float]:
        header = ServerTimingMiddleware(view)(rf.get("/"))["Server-Timing"]
        cpu, total = (float(v) for v in re.findall(r"dur=([0-9.]+)", header))
        return cpu, total

    busy_cpu, busy_total = cpu_of(busy)
    idle_cpu, idle_total = cpu_of(idle)
    assert busy_cpu >= 25 and busy_total >= 25
    assert idle_cpu < 10 and idle_total >= 25
