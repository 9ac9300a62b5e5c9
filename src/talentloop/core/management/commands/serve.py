"""``talentloop serve [ADDR:PORT]``: the web server and the job worker together, for development and
the demo. Ctrl-C (or SIGTERM) stops both. Production runs gunicorn and ``talentloop worker`` instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from talentloop.core.management.commands.worker import queue_description


class Command(BaseCommand):
    help = "Serve Talentloop (Django's development server) with its background job worker."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="address and port to serve")
        parser.add_argument("--reload", action="store_true", help="restart the web server when code changes")
        parser.add_argument("--no-worker", action="store_true",
                            help="serve the web only, without the job worker")
        parser.add_argument("--workers", "-w", type=int, default=None, help="job worker threads")

    def handle(self, *args, addrport: str, reload: bool, no_worker: bool, workers: int | None, **options):
        # With --reload Django runs this command again in a child process; only the parent starts the worker.
        in_reloader_child = os.environ.get("RUN_MAIN") == "true"
        worker = None
        if not no_worker and not in_reloader_child:
            command = [sys.executable, "-m", "talentloop.cli", "worker"]
            if workers:
                command += ["--workers", str(workers)]
            worker = subprocess.Popen(command, env=os.environ.copy())  # noqa: S603 — fixed argv, no shell
            self.stdout.write(f"Job worker started (pid {worker.pid}): {queue_description()}.")
        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        if not in_reloader_child:
            self.stdout.write(self.style.SUCCESS(f"Serving Talentloop at http://{host}/ "
                                                 f"(API docs at http://{host}/api/v1/docs). Ctrl-C stops "
                                                 f"the web server{' and the worker' if worker else ''}."))

        def stop(signum, frame):
            raise SystemExit(0)

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            call_command("runserver", addrport, use_reloader=reload, use_threading=True)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            if worker is not None:
                self._stop_worker(worker)

    def _stop_worker(self, worker: subprocess.Popen) -> None:
        if worker.poll() is None:
            # SIGINT asks Huey to finish the running tasks and stop; SIGTERM stops it at once.
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.terminate()
                try:
                    worker.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
        self.stdout.write(f"Job worker stopped (exit code {worker.returncode}).")
