"""Personal data at rest: AES-256-GCM with a key ring, and a keyed blind index.

Ciphertext format (text): ``<key id>$<base64(nonce ‖ ciphertext+tag)>``. The first key
of ``PII_KEYS`` encrypts; every listed key decrypts, so keys rotate by prepending a new
one and re-encrypting (``fangpin rotate_keys``). The blind index is HMAC-SHA256 under a
separate key: equal IDs give equal indexes, so uniqueness and exact search work without
decrypting, and the index reveals nothing without that key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

NONCE_BYTES = 12


class KeyRing:
    def __init__(self, spec: str, blind_key_b64: str):
        self.keys: dict[str, AESGCM] = {}
        self.current_id = ""
        for part in spec.split(","):
            kid, _, b64 = part.strip().partition(":")
            raw = base64.b64decode(b64)
            if not kid or "$" in kid or len(raw) != 32:
                raise ImproperlyConfigured("FANGPIN_PII_KEYS: each entry must be id:base64(32 bytes)")
            self.keys[kid] = AESGCM(raw)
            self.current_id = self.current_id or kid
        self.blind_key = base64.b64decode(blind_key_b64)
        if len(self.blind_key) < 32:
            raise ImproperlyConfigured("FANGPIN_BLIND_INDEX_KEY must be base64 of at least 32 bytes")

    def encrypt(self, plaintext: str, context: bytes = b"") -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.keys[self.current_id].encrypt(nonce, plaintext.encode(), context or None)
        return f"{self.current_id}${base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, context: bytes = b"") -> str:
        kid, _, b64 = token.partition("$")
        blob = base64.b64decode(b64)
        return self.keys[kid].decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context or None).decode()

    def key_id(self, token: str) -> str:
        return token.partition("$")[0]

    def blind_index(self, value: str, purpose: bytes = b"id") -> str:
        return hmac.new(self.blind_key, purpose + b":" + value.encode(), hashlib.sha256).hexdigest()[:40]


def seal_bytes(data: bytes, context: bytes) -> bytes:
    """Encrypt a file's bytes under the current key: ``key id $ nonce sealed`` (the id allows rotation)."""
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    return ring.current_id.encode() + b"$" + nonce + ring.keys[ring.current_id].encrypt(nonce, data, context)


def open_bytes(blob: bytes, context: bytes) -> bytes:
    kid, _, rest = blob.partition(b"$")
    return keyring().keys[kid.decode()].decrypt(rest[:NONCE_BYTES], rest[NONCE_BYTES:], context)


# Sealed files live under MEDIA_ROOT, one folder per purpose, each with its own context (the AES-GCM associated
# data, so a file cannot be moved to another purpose). ``rotate_keys`` re-seals every file of these folders;
# a new kind of sealed file must be listed here.
SEALED_DIRS: dict[str, bytes] = {
    "visits": b"visit-photo",
    "datasets": b"dataset-pending",
    "ledger": b"ledger",
    "supervision": b"supervision-evidence",
}


def sealed_key_id(blob: bytes) -> str | None:
    """The key id of a sealed blob, or None when the bytes are not sealed under a key of the ring."""
    kid, sep, _ = blob[:64].partition(b"$")
    if not sep:
        return None
    try:
        name = kid.decode("ascii")
    except UnicodeDecodeError:
        return None
    return name if name in keyring().keys else None


def reseal_file(path: Path, context: bytes) -> bool:
    """Re-seal one file under the current key (False when it already is, or is not a sealed file).

    Written beside and renamed over the original, so an interruption leaves the old or the new file, never half."""
    blob = path.read_bytes()
    kid = sealed_key_id(blob)
    if kid is None or kid == keyring().current_id:
        return False
    fresh = seal_bytes(open_bytes(blob, context), context)
    tmp = path.with_name(path.name + ".reseal")
    tmp.write_bytes(fresh)
    tmp.chmod(path.stat().st_mode & 0o777)
    os.replace(tmp, path)
    return True


@lru_cache(maxsize=1)
def keyring() -> KeyRing:
    return KeyRing(settings.PII_KEYS, settings.BLIND_INDEX_KEY)


def encrypt(plaintext: str) -> str:
    return keyring().encrypt(plaintext) if plaintext else ""


def decrypt(token: str) -> str:
    return keyring().decrypt(token) if token else ""


def id_index(id_number: str) -> str:
    return keyring().blind_index(id_number, b"id")


def phone_index(phone: str) -> str:
    return keyring().blind_index(phone, b"phone")


def _reset_keyring(*, setting: str, **kwargs) -> None:
    if setting in ("PII_KEYS", "BLIND_INDEX_KEY"):
        keyring.cache_clear()


setting_changed.connect(_reset_keyring)
