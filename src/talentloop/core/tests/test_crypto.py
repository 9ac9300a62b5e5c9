"""Encryption at rest: AES-GCM with a key id in every value, rotation, and each value bound to its table,
column and row (``row_uid``), so a ciphertext moved anywhere else does not open."""

from __future__ import annotations

import base64
import os
import pickle
import uuid

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import post_migrate
from django.test import override_settings

from talentloop.core import crypto
from talentloop.core.crypto.fields import EncryptedTextField, EncryptedWriteRefused, Sealed
from talentloop.notifications.channel_services import vapid_keys_generate
from talentloop.notifications.models import ImCredentials, VapidKeys
from talentloop.notifications.tests.channel_factories import ImCredentialsFactory
from talentloop.organisation.models import Employee

OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()
NATIONAL_ID = "110101199001011234"
BANK = "6222020200112233445"


def _raw(pk: int) -> tuple[str, str]:
    table = connection.ops.quote_name(Employee._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"SELECT national_id, bank_account FROM {table} WHERE id = %s", [pk])
        return cur.fetchone()


def _set_raw(pk: int, column: str, value: str) -> None:
    table = connection.ops.quote_name(Employee._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s", [value, pk])


def _aad(emp: Employee, column: str) -> str:
    return crypto.aad_for(Employee._meta.db_table, column, emp.row_uid)


def _legacy_encrypt(plaintext: str, field_name: str) -> str:
    """The first envelope as it was written: ``enc1``, associated data = the field name."""
    keys, kid = crypto.keyring()
    nonce = os.urandom(12)
    ct = AESGCM(keys[kid]).encrypt(nonce, plaintext.encode(), field_name.encode())
    return f"enc1:{kid}:{base64.b64encode(nonce + ct).decode()}"


def test_roundtrip_and_format():
    value = crypto.encrypt(NATIONAL_ID, aad="t:national_id:1")
    prefix, kid, blob = value.split(":", 2)
    assert (prefix, kid) == ("enc2", crypto.newest_kid())
    assert crypto.kid_of(value) == kid and crypto.is_current(value)
    # 12-byte nonce + 18 bytes of ciphertext + 16-byte tag = 46 bytes
    assert len(base64.b64decode(blob)) == 12 + 18 + 16
    assert crypto.decrypt(value, aad="t:national_id:1") == NATIONAL_ID
    # a fresh nonce every time: the same plain text never gives the same stored value
    assert crypto.encrypt(NATIONAL_ID, aad="t:national_id:1") != value
    assert crypto.decrypt(crypto.encrypt("张三 ✓", aad="a"), aad="a") == "张三 ✓"


def test_wrong_aad_or_tampering_fails_with_a_clear_error():
    value = crypto.encrypt(BANK, aad="t:bank_account:1")
    with pytest.raises(crypto.DecryptionError, match="another row or column"):
        crypto.decrypt(value, aad="t:national_id:1")
    prefix, kid, blob = value.split(":", 2)
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{prefix}:{kid}:{base64.b64encode(bytes(raw)).decode()}", aad="t:bank_account:1")
    with pytest.raises(crypto.DecryptionError, match="not an encrypted value"):
        crypto.decrypt("plain:text:value", aad="x")
    assert BANK not in str(pytest.raises(crypto.DecryptionError, crypto.decrypt, value, "y").value)


def test_the_old_envelope_opens_only_for_reencrypt():
    old = _legacy_encrypt(NATIONAL_ID, "national_id")
    with pytest.raises(crypto.DecryptionError, match="talentloop reencrypt"):
        crypto.decrypt(old, aad="organisation_employee:national_id:x")
    assert crypto.open_legacy(old, "national_id") == NATIONAL_ID
    assert not crypto.is_current(old)


def test_rotation_keeps_old_values_readable_and_writes_with_the_newest():
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=OLD):
        old_value = crypto.encrypt("secret", aad="f")
    assert crypto.kid_of(old_value) == "old"
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=f"{OLD},{NEW}"):
        assert crypto.decrypt(old_value, aad="f") == "secret"
        assert crypto.kid_of(crypto.encrypt("secret", aad="f")) == "new"
        assert not crypto.is_current(old_value)
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=NEW), pytest.raises(ImproperlyConfigured):
        crypto.decrypt(old_value, aad="f")  # the old key was removed too early


@pytest.mark.parametrize("spec", ["", "k1:" + base64.b64encode(b"short").decode(),
                                  ":" + base64.b64encode(b"x" * 32).decode()])
def test_bad_key_configuration_is_refused(spec):
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=spec), pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x", aad="a")


def test_mask():
    assert crypto.mask(NATIONAL_ID) == "••••1234"
    assert crypto.mask("12") == "••••12"
    assert crypto.mask("") == ""


# ---------------------------------------------------------------- the field, bound to its row


@pytest.mark.django_db
def test_the_column_never_holds_the_plain_text_and_is_bound_to_its_row(world):
    emp = world.emp(world.employee)
    national_id, bank_account = _raw(emp.pk)
    for stored, plain, column in [(national_id, NATIONAL_ID, "national_id"), (bank_account, BANK, "bank_account")]:
        assert stored.startswith(f"enc2:{crypto.newest_kid()}:")
        assert plain not in stored and plain[-4:] not in stored
        assert crypto.decrypt(stored, aad=_aad(emp, column)) == plain
        assert _aad(emp, column) == f"organisation_employee:{column}:{emp.row_uid}"
    assert Employee.objects.get(pk=emp.pk).national_id == NATIONAL_ID


@pytest.mark.django_db
def test_every_row_has_its_own_uid_before_it_is_inserted(world):
    fresh = Employee(name="x")
    assert isinstance(fresh.row_uid, uuid.UUID)
    uids = list(Employee.objects.values_list("row_uid", flat=True))
    assert len(uids) == len(set(uids)) > 1


@pytest.mark.django_db
def test_a_value_copied_into_another_column_does_not_decrypt(world):
    emp = world.emp(world.employee)
    national_id, _bank = _raw(emp.pk)
    _set_raw(emp.pk, "bank_account", national_id)
    fresh = Employee.objects.get(pk=emp.pk)
    assert fresh.national_id == NATIONAL_ID  # the other value is untouched
    with pytest.raises(crypto.DecryptionError, match="organisation_employee:bank_account"):
        fresh.bank_account  # noqa: B018 - reading is the test


@pytest.mark.django_db
def test_a_value_copied_into_another_row_does_not_decrypt(world):
    emp, other = world.emp(world.employee), world.emp(world.manager)
    _set_raw(other.pk, "national_id", _raw(emp.pk)[0])
    with pytest.raises(crypto.DecryptionError, match="another row or column") as exc:
        Employee.objects.get(pk=other.pk).national_id  # noqa: B018 - reading is the test
    assert NATIONAL_ID not in str(exc.value)


@pytest.mark.django_db
def test_a_value_copied_into_another_table_does_not_decrypt(world):
    creds = ImCredentialsFactory(vendor="wecom")
    emp = world.emp(world.employee)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {connection.ops.quote_name(ImCredentials._meta.db_table)} SET secret = %s WHERE id = %s",
                    [_raw(emp.pk)[0], creds.pk])
    with pytest.raises(crypto.DecryptionError):
        ImCredentials.objects.get(pk=creds.pk).secret  # noqa: B018 - reading is the test


@pytest.mark.django_db
def test_values_are_opened_only_when_read_and_deferred_ones_load_with_their_row(world, django_assert_num_queries):
    emp = world.emp(world.employee)
    assert isinstance(Employee.objects.get(pk=emp.pk).__dict__["national_id"], Sealed)
    deferred = Employee.objects.defer("national_id").get(pk=emp.pk)
    with django_assert_num_queries(1):
        assert deferred.national_id == NATIONAL_ID
    only = Employee.objects.only("name").get(pk=emp.pk)
    with django_assert_num_queries(1):  # the value and the row's uid together
        assert only.bank_account == BANK
    with django_assert_num_queries(1):
        assert Employee.objects.only("national_id").get(pk=emp.pk).national_id == NATIONAL_ID


@pytest.mark.django_db
def test_bulk_writes_bind_each_value_to_its_own_row(world):
    someone = world.emp(world.employee)
    org_unit, job_family = someone.org_unit, someone.job_family
    made = Employee.objects.bulk_create([
        Employee(employee_number=f"B{i}", name=f"b{i}", hire_date="2024-01-01", org_unit=org_unit,
                 job_family=job_family, national_id=f"ID-{i}") for i in range(3)])
    loaded = {e.employee_number: e for e in Employee.objects.filter(employee_number__in=["B0", "B1", "B2"])}
    assert [loaded[f"B{i}"].national_id for i in range(3)] == ["ID-0", "ID-1", "ID-2"]
    for obj in made:
        obj.national_id = f"new-{obj.employee_number}"
    Employee.objects.bulk_update(made, ["national_id"])
    assert made[0].national_id == "new-B0"  # the objects keep their plain values
    assert sorted(Employee.objects.filter(employee_number__startswith="B").values_list("employee_number", flat=True)
                  ) == ["B0", "B1", "B2"]
    for obj in Employee.objects.filter(employee_number__in=["B0", "B1", "B2"]):
        assert obj.national_id == f"new-{obj.employee_number}"


@pytest.mark.django_db
def test_writes_that_cannot_know_the_row_are_refused(world):
    emp = world.emp(world.employee)
    # (each in a savepoint: a refused update() marks the transaction around it for rollback)
    with pytest.raises(EncryptedWriteRefused), transaction.atomic():
        Employee.objects.filter(pk=emp.pk).update(national_id="999")
    with pytest.raises(EncryptedWriteRefused), transaction.atomic():
        list(Employee.objects.filter(national_id=NATIONAL_ID))
    with pytest.raises(EncryptedWriteRefused), transaction.atomic():
        Employee.objects.bulk_create([Employee(employee_number=emp.employee_number)], update_conflicts=True,
                                     unique_fields=["employee_number"], update_fields=["national_id"])
    assert Employee.objects.get(pk=emp.pk).national_id == NATIONAL_ID
    # values()/values_list() give the sealed envelope, which does not pass for text
    (sealed,) = Employee.objects.filter(pk=emp.pk).values_list("national_id", flat=True)
    assert isinstance(sealed, Sealed)
    with pytest.raises(TypeError):
        str(sealed)


@pytest.mark.django_db
def test_empty_values_stay_empty(world):
    emp = world.emp(world.employee)
    Employee.objects.filter(pk=emp.pk).update(national_id="")
    assert _raw(emp.pk)[0] == ""
    assert Employee.objects.get(pk=emp.pk).national_id == ""


@pytest.mark.django_db
def test_rows_written_with_an_old_key_stay_readable_and_are_rewritten_with_the_newest(world):
    emp = world.emp(world.employee)
    loaded = Employee.objects.get(pk=emp.pk)
    loaded.national_id, loaded.bank_account  # noqa: B018 - opened under today's key, written under the old one
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=OLD):
        loaded.save()
        assert _raw(emp.pk)[0].startswith("enc2:old:")
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=f"{OLD},{NEW}"):
        fresh = Employee.objects.get(pk=emp.pk)
        assert fresh.national_id == NATIONAL_ID
        fresh.save()
        assert _raw(emp.pk)[0].startswith("enc2:new:")
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=NEW):
        assert Employee.objects.get(pk=emp.pk).bank_account == BANK


def test_every_model_with_an_encrypted_field_has_a_row_uid():
    found = [m for m in apps.get_models()
             if any(isinstance(f, EncryptedTextField) for f in m._meta.concrete_fields)]
    assert {m._meta.label for m in found} >= {"organisation.Employee", "performance.WebhookSource",
                                               "notifications.VapidKeys", "notifications.ImCredentials",
                                               "notifications.GroupBot", "mentoring.SurveyAnswer"}
    for model in found:
        uid = model._meta.get_field("row_uid")
        assert uid.unique and not uid.null and not uid.editable
        assert all(not e.id.startswith("talentloop.") for f in model._meta.fields for e in f.check())


# ---------------------------------------------------------------- talentloop reencrypt


def _all_envelopes() -> list[str]:
    out = []
    with connection.cursor() as cur:
        for model in apps.get_models():
            columns = [f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            for column in columns:
                cur.execute(f"SELECT {connection.ops.quote_name(column)} "  # noqa: S608 - identifiers quoted
                            f"FROM {connection.ops.quote_name(model._meta.db_table)}")
                out += [v for (v,) in cur.fetchall() if v]
    return out


@pytest.mark.django_db
def test_reencrypt_moves_old_envelopes_and_old_keys_to_the_newest(world, capsys):
    emp, other = world.emp(world.employee), world.emp(world.manager)
    keys = vapid_keys_generate(actor=None, subject="mailto:it@example.com")
    pem = keys.private_key
    # Old-shape rows: the first envelope (bound to the field name only), one under an older key.
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=OLD):
        _set_raw(emp.pk, "national_id", _legacy_encrypt(NATIONAL_ID, "national_id"))
    _set_raw(emp.pk, "bank_account", _legacy_encrypt(BANK, "bank_account"))
    with connection.cursor() as cur:
        cur.execute("UPDATE notifications_vapidkeys SET private_key = %s", [_legacy_encrypt(pem, "private_key")])
    loaded = Employee.objects.get(pk=other.pk)
    loaded.national_id, loaded.bank_account  # noqa: B018 - opened under today's key
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=OLD):
        loaded.save()  # enc2 under the old key
    assert any(v.startswith("enc1:") for v in _all_envelopes())
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=f"{settings.TALENTLOOP_ENCRYPTION_KEYS},{OLD},{NEW}"):
        with pytest.raises(crypto.DecryptionError, match="reencrypt"):
            Employee.objects.get(pk=emp.pk).national_id  # noqa: B018 - reading is the test
        call_command("reencrypt", "--batch-size", "2")
        envelopes = _all_envelopes()
        assert envelopes and all(v.startswith("enc2:new:") for v in envelopes)  # no enc1 remains
        fresh = Employee.objects.get(pk=emp.pk)
        assert (fresh.national_id, fresh.bank_account) == (NATIONAL_ID, BANK)
        assert Employee.objects.get(pk=other.pk).national_id == NATIONAL_ID
        assert VapidKeys.objects.get().private_key == pem
        out = capsys.readouterr().out
        holders = Employee.objects.exclude(Q(national_id="") & Q(bank_account="")).count()
        assert f"organisation.Employee: {holders} row(s) re-encrypted" in out and holders >= 2
        # Nothing left to do the second time.
        call_command("reencrypt")
        assert "organisation.Employee: 0 row(s) re-encrypted" in capsys.readouterr().out
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=NEW):  # the old key may go now
        assert Employee.objects.get(pk=emp.pk).bank_account == BANK


@pytest.mark.django_db
def test_values_in_the_first_envelope_move_to_the_current_one_after_migrate(world):
    """An upgraded installation converges on its own: ``migrate`` ends by rewriting ``enc1`` values
    (and only those)."""
    emp, other = world.emp(world.employee), world.emp(world.manager)
    _set_raw(emp.pk, "national_id", _legacy_encrypt(NATIONAL_ID, "national_id"))
    before_other = _raw(other.pk)
    post_migrate.send(sender=apps.get_app_config("core"), app_config=apps.get_app_config("core"),
                      verbosity=0, interactive=False, using="default", plan=[], apps=apps)
    assert _raw(emp.pk)[0].startswith("enc2:")
    assert Employee.objects.get(pk=emp.pk).national_id == NATIONAL_ID
    assert _raw(other.pk) == before_other  # current values are left alone
    assert not any(v.startswith("enc1:") for v in _all_envelopes())


@pytest.mark.django_db
def test_reencrypt_names_values_that_do_not_open_and_keeps_them(world):
    emp, other = world.emp(world.employee), world.emp(world.manager)
    moved = _raw(emp.pk)[0]
    _set_raw(other.pk, "national_id", moved)
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=f"{settings.TALENTLOOP_ENCRYPTION_KEYS},{NEW}"):
        with pytest.raises(CommandError, match="1 value"):
            call_command("reencrypt")
        assert _raw(other.pk)[0] == moved  # left as it was, for someone to look at
        assert Employee.objects.get(pk=emp.pk).national_id == NATIONAL_ID


@pytest.mark.django_db
def test_an_object_kept_in_a_cache_keeps_its_values_sealed_until_read(world):
    emp = world.emp(world.employee)
    loaded = Employee.objects.get(pk=emp.pk)
    copy = pickle.loads(pickle.dumps(loaded))  # noqa: S301 - our own object, as the cache framework does
    assert isinstance(copy.__dict__["national_id"], Sealed)
    assert NATIONAL_ID not in repr(copy.__dict__)
    assert copy.national_id == NATIONAL_ID
    loaded.refresh_from_db()
    assert loaded.bank_account == BANK
