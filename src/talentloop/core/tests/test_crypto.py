"""Encryption at rest: AES-GCM with a key id in every value, rotation, and bound to its column."""

from __future__ import annotations

import base64

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from talentloop.core import crypto
from talentloop.organisation.models import Employee

OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()


def _raw(pk: int) -> tuple[str, str]:
    table = connection.ops.quote_name(Employee._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"SELECT national_id, bank_account FROM {table} WHERE id = %s", [pk])
        return cur.fetchone()


def test_roundtrip_and_format():
    value = crypto.encrypt("110101199001011234", aad="national_id")
    prefix, kid, blob = value.split(":", 2)
    assert (prefix, kid) == ("enc1", crypto.newest_kid())
    assert crypto.kid_of(value) == kid
    # 12-byte nonce + 18 bytes of ciphertext + 16-byte tag = 46 bytes
    assert len(base64.b64decode(blob)) == 12 + 18 + 16
    assert crypto.decrypt(value, aad="national_id") == "110101199001011234"
    # a fresh nonce every time: the same plain text never gives the same stored value
    assert crypto.encrypt("110101199001011234", aad="national_id") != value
    assert crypto.decrypt(crypto.encrypt("张三 ✓"), aad="") == "张三 ✓"


def test_wrong_aad_or_tampering_fails():
    value = crypto.encrypt("6222020200112233445", aad="bank_account")
    with pytest.raises(InvalidTag):
        crypto.decrypt(value, aad="national_id")
    prefix, kid, blob = value.split(":", 2)
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        crypto.decrypt(f"{prefix}:{kid}:{base64.b64encode(bytes(raw)).decode()}", aad="bank_account")
    with pytest.raises(ValueError):
        crypto.decrypt("plain:text:value")


def test_rotation_keeps_old_values_readable_and_writes_with_the_newest():
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=OLD):
        old_value = crypto.encrypt("secret", aad="f")
    assert crypto.kid_of(old_value) == "old"
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=f"{OLD},{NEW}"):
        assert crypto.decrypt(old_value, aad="f") == "secret"
        assert crypto.kid_of(crypto.encrypt("secret", aad="f")) == "new"
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=NEW), pytest.raises(ImproperlyConfigured):
        crypto.decrypt(old_value, aad="f")  # the old key was removed too early


@pytest.mark.parametrize("spec", ["", "k1:" + base64.b64encode(b"short").decode(),
                                  ":" + base64.b64encode(b"x" * 32).decode()])
def test_bad_key_configuration_is_refused(spec):
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=spec), pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


def test_mask():
    assert crypto.mask("110101199001011234") == "••••1234"
    assert crypto.mask("12") == "••••12"
    assert crypto.mask("") == ""


@pytest.mark.django_db
def test_the_column_never_holds_the_plain_text(world):
    emp = world.emp(world.employee)
    national_id, bank_account = _raw(emp.pk)
    for stored, plain, field in [(national_id, "110101199001011234", "national_id"),
                                 (bank_account, "6222020200112233445", "bank_account")]:
        assert stored.startswith(f"enc1:{crypto.newest_kid()}:")
        assert plain not in stored and plain[-4:] not in stored
        assert crypto.decrypt(stored, aad=field) == plain
    assert Employee.objects.get(pk=emp.pk).national_id == "110101199001011234"


@pytest.mark.django_db
def test_a_value_copied_into_another_column_does_not_decrypt(world):
    emp = world.emp(world.employee)
    national_id, _bank = _raw(emp.pk)
    table = connection.ops.quote_name(Employee._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET bank_account = %s WHERE id = %s", [national_id, emp.pk])
    with pytest.raises(InvalidTag):
        Employee.objects.get(pk=emp.pk)


@pytest.mark.django_db
def test_rows_written_with_an_old_key_stay_readable_and_are_rewritten_with_the_newest(world):
    emp = world.emp(world.employee)
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=OLD):
        emp.save()
        assert _raw(emp.pk)[0].startswith("enc1:old:")
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=f"{OLD},{NEW}"):
        fresh = Employee.objects.get(pk=emp.pk)
        assert fresh.national_id == "110101199001011234"
        fresh.save()
        assert _raw(emp.pk)[0].startswith("enc1:new:")
    with override_settings(TALENTLOOP_ENCRYPTION_KEYS=NEW):
        assert Employee.objects.get(pk=emp.pk).bank_account == "6222020200112233445"


@pytest.mark.django_db
def test_empty_values_stay_empty(world):
    emp = world.emp(world.employee)
    Employee.objects.filter(pk=emp.pk).update(national_id="")
    assert _raw(emp.pk)[0] == ""
    assert Employee.objects.get(pk=emp.pk).national_id == ""
