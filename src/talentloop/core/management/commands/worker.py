"""``talentloop worker``: the background job worker (the Huey consumer, periodic tasks included).

Every option of Huey's ``run_huey`` passes through, e.g. ``talentloop worker -w 4 -k process``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from huey.contrib.djhuey.management.commands.run_huey import Command as RunHueyCommand


def queue_description() -> str:
    config = settings.HUEY if isinstance(settings.HUEY, dict) else {}
    name = config.get("name", "talentloop")
    if "Redis" in str(config.get("huey_class", "")):
        return f"queue '{name}' on Redis"
    return f"queue '{name}' in {config.get('filename', 'SQLite')}"


class Command(RunHueyCommand):
    help = "Run the background job worker (Huey consumer with periodic tasks); run_huey options pass through."

    def handle(self, *args, **options):
        consumer = dict(settings.HUEY.get("consumer", {})) if isinstance(settings.HUEY, dict) else {}
        workers = options.get("workers") or consumer.get("workers", 1)
        kind = options.get("worker_type") or consumer.get("worker_type", "thread")
        self.stdout.write(f"Talentloop worker: {queue_description()}, {workers} {kind} worker(s), "
                          "periodic tasks on. Stop with Ctrl-C.")
        self.stdout.flush()
        huey_logger = logging.getLogger("huey")
        if not huey_logger.handlers:
            # run_huey gives the huey logger its own handler; do not print every line twice via the root.
            huey_logger.propagate = False
        super().handle(*args, **options)
