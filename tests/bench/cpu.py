"""Where a load run's CPU went: the server's processes, the job worker, the database, the load
generator. The machine is shared by all of them, so each benchmark that drives load records each
share beside the latency it measures."""

from __future__ import annotations

import os
import resource
from pathlib import Path


def _stats():
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, _sep, rest = text.partition(" (")[2].rpartition(")")
        fields = rest.split()
        if len(fields) > 12:
            yield name, fields


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a process group (e.g. the
    gunicorn master and its workers, started with ``start_new_session``)."""
    ticks = sum(int(f[11]) + int(f[12]) for _name, f in _stats() if int(f[2]) == pgid)  # pgrp, utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU seconds used so far by the live PostgreSQL server processes on this machine (0 when none).
    A backend that ends during a run takes its share with it, so this is a lower bound."""
    ticks = sum(int(f[11]) + int(f[12]) for name, f in _stats() if name == "postgres")
    return ticks / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """CPU seconds of this process's children that have ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot (/proc/stat)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0, 0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)
