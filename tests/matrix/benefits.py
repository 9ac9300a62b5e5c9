from talentloop.benefits.tests.matrix_rows import API, WEB, keys  # noqa: F401
