import base64

import pytest
from cryptography.exceptions import InvalidTag
from django.core.management import call_command

from fangpin import pii
from fangpin.registry.models import Member

OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()
BLIND = base64.b64encode(b"b" * 32).decode()
ID = "11010519491231002X"


def test_ciphertext_is_not_the_plaintext_and_round_trips(settings):
    settings.PII_KEYS, settings.BLIND_INDEX_KEY = OLD, BLIND
    token = pii.encrypt(ID)
    assert ID not in token and token.startswith("old$")
    assert pii.decrypt(token) == ID
    assert pii.encrypt(ID) != token  # fresh nonce each time


def test_blind_index_is_stable_and_keyed(settings):
    settings.PII_KEYS, settings.BLIND_INDEX_KEY = OLD, BLIND
    first = pii.id_index(ID)
    assert first == pii.id_index(ID) and ID not in first
    settings.BLIND_INDEX_KEY = base64.b64encode(b"c" * 32).decode()
    assert pii.id_index(ID) != first


def test_tampered_ciphertext_is_refused(settings):
    settings.PII_KEYS, settings.BLIND_INDEX_KEY = OLD, BLIND
    kid, _, b64 = pii.encrypt(ID).partition("$")
    blob = bytearray(base64.b64decode(b64))
    blob[-1] ^= 1
    with pytest.raises(InvalidTag):
        pii.decrypt(f"{kid}${base64.b64encode(bytes(blob)).decode()}")


def test_rotate_keys_reencrypts_under_the_new_key(settings, make_household):
    settings.PII_KEYS, settings.BLIND_INDEX_KEY = OLD, BLIND
    household = make_household()
    before = {m.pk: pii.decrypt(m.id_cipher) for m in household.members.all()}
    settings.PII_KEYS = f"{NEW},{OLD}"
    call_command("rotate_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    members = list(Member.objects.filter(household=household))
    assert all(m.id_cipher.startswith("new$") and m.phone_cipher.startswith("new$") for m in members)
    assert {m.pk: pii.decrypt(m.id_cipher) for m in members} == before
    settings.PII_KEYS = NEW  # the old key can now be dropped
    assert {m.pk: pii.decrypt(m.id_cipher) for m in members} == before
