"""The ``talentloop`` console script: Django's management commands under one name."""

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    # Django reads the settings module when a command runs, not when its management package is imported.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentloop.config.settings.dev")
    execute_from_command_line(["talentloop", *sys.argv[1:]])


if __name__ == "__main__":
    main()
