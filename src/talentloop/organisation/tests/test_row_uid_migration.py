"""The migration that gives encrypted rows their uid: rows of the old shape (no ``row_uid``) each get their
own uid, nothing else in them changes, and the column ends unique and required."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("organisation", "0003_employee_search_key")]
AFTER = [("organisation", "0004_encrypted_row_uid")]


@pytest.mark.django_db(transaction=True)
def test_existing_employees_get_a_uid_each_and_keep_their_values():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OrgUnit = old.get_model("organisation", "OrgUnit")
        JobFamily = old.get_model("organisation", "JobFamily")
        unit = OrgUnit.objects.create(code="u", name="单位", path="/")
        family = JobFamily.objects.create(code="f", name="序列")
        # Old-shape rows, with an encrypted column as the first envelope left it (opaque to this migration).
        with connection.cursor() as cur:
            for i in range(3):
                cur.execute(
                    "INSERT INTO organisation_employee (employee_number, name, name_en, email, phone, hire_date, "
                    "org_unit_id, job_family_id, level, manager_path, status, national_id, bank_account, "
                    "search_key, created_at, updated_at) VALUES (%s, %s, '', '', '', '2024-01-01', %s, %s, 1, '/', "
                    "'active', %s, '', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                    [f"E{i}", f"员工{i}", unit.pk, family.pk, f"enc1:t1:opaque{i}"])
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("organisation", "Employee")
        with connection.cursor() as cur:
            cur.execute("SELECT employee_number, national_id FROM organisation_employee ORDER BY employee_number")
            assert cur.fetchall() == [(f"E{i}", f"enc1:t1:opaque{i}") for i in range(3)]
        uids = list(new.objects.values_list("row_uid", flat=True))
        assert len(uids) == 3 and len(set(uids)) == 3 and all(isinstance(u, uuid.UUID) for u in uids)
        field = new._meta.get_field("row_uid")
        assert field.unique and not field.null
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
