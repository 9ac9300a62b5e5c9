"""Pure computation on the second core: a forked copy of the process computes a list while the
process itself goes on.

A recomputation of a whole company's month is Python arithmetic on data already in memory, and one
process uses one core; the database stores the rows on the other. ``Forked(compute)`` forks: the child
runs ``compute()`` on its copy-on-write view of everything loaded so far, pickles the result into an
unnamed temporary file and ends with ``os._exit`` — it never returns into the caller's code, never uses
the database connection, logs nothing and runs no clean-up that could touch what it shares with the
parent. ``result()`` waits for it and returns the value, or ``None`` when the child failed or no fork
could be made (then the caller computes the same thing itself). Only for computations that touch
nothing outside the process: no database, no cache, no files, no network.
"""

from __future__ import annotations

import os
import pickle
import signal
import tempfile
from collections.abc import Callable
from typing import Any

from django.conf import settings


def available() -> bool:
    """Whether computing in a forked copy is possible and allowed here (``settings.FORK_COMPUTE``;
    ``TALENTLOOP_FORK_COMPUTE=0`` turns it off)."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and getattr(settings, "FORK_COMPUTE", True)


class Forked:
    def __init__(self, compute: Callable[[], Any]):
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by result()
        try:
            self._pid = os.fork()
        except OSError:
            self._pid = -1
            return
        if self._pid == 0:  # pragma: no cover - the child (coverage does not follow it): compute, write, leave
            code = 1
            try:
                pickle.dump(compute(), self._file, protocol=pickle.HIGHEST_PROTOCOL)
                self._file.flush()
                code = 0
            finally:
                os._exit(code)

    def abandon(self) -> None:
        """Stop the child if it still runs (the caller no longer wants its result) and reap it; harmless
        after ``result()``."""
        if self._pid > 0:
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except OSError:
                pass
            self._pid = -1
        self._file.close()

    def result(self) -> Any | None:
        try:
            if self._pid <= 0:
                return None
            _pid, status = os.waitpid(self._pid, 0)
            self._pid = -1
            if os.waitstatus_to_exitcode(status) != 0:
                return None
            self._file.seek(0)
            return pickle.load(self._file)  # noqa: S301 - written by this process's own fork just now
        finally:
            self._file.close()
