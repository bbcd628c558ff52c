"""Identities at rest: authenticated encryption of persons' identity fields and the keyed hashes of the blind index.

One secret, ``DOCKET_IDENTITY_KEY``, is the root of everything here. Two keys are derived from it with HKDF-SHA256
(so neither can be computed from the other, nor the root from either):

- the **encryption key** (AES-256-GCM): each value is stored as ``docket:enc:v1:<key id>:<base64(nonce|ciphertext|tag)>``
  with a fresh 96-bit random nonce, and the field's name as associated data (a value moved to another column fails
  to decrypt). The key id (8 hex digits, itself derived) says which key sealed a value, so after a rotation values
  under the previous key still open (``DOCKET_IDENTITY_PREVIOUS_KEYS``) until ``manage.py rotate_identity_key`` has
  re-sealed them under the current one;
- the **blind-index key** (HMAC-SHA256): the search index keeps an identity word only as ``bi`` + the first 64 bits
  of HMAC(key, stemmed word) in decimal, so a copy of the index reveals no name, and a search for the same word, hashed
  the same way, still finds the person (see ``search.documents`` and ``search.service``).

Where the root key comes from (``settings.DOCKET_IDENTITY_KEY``, read by ``config.settings``): the environment, or,
when unset, a random key made once and kept in ``DOCKET_DATA_DIR/identity_key`` (mode 0600), like the secret key.
The file keeps ``make run`` and a first install working; a deployment should move the key out of the data folder
(``check --deploy`` warns) so that a copy of that folder, or a backup of it, opens nothing.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured

PREFIX = "docket:enc:v1:"
BLIND_PREFIX = "bi"
KEY_FILE_NAME = "identity_key"
MIN_KEY_LENGTH = 32
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored identity value could not be opened: unknown key id (rotated away?), or tampered with."""


def _derive(root: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"docket-identity-v1", info=purpose).derive(
        root.encode("utf-8")
    )


@dataclass(frozen=True)
class IdentityKey:
    """One root key and what is derived from it."""

    key_id: str
    aead: AESGCM
    blind_key: bytes

    @classmethod
    def from_root(cls, root: str) -> "IdentityKey":
        root = root.strip()
        if len(root) < MIN_KEY_LENGTH or len(set(root)) < 8:
            raise ImproperlyConfigured(
                f"DOCKET_IDENTITY_KEY must be a random value of at least {MIN_KEY_LENGTH} characters, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'."
            )
        return cls(
            key_id=_derive(root, b"key-id").hex()[:8],
            aead=AESGCM(_derive(root, b"aes-256-gcm")),
            blind_key=_derive(root, b"blind-index-hmac-sha256"),
        )


@dataclass(frozen=True)
class KeyRing:
    current: IdentityKey
    previous: tuple[IdentityKey, ...] = ()

    def by_id(self, key_id: str) -> IdentityKey | None:
        for key in (self.current, *self.previous):
            if key.key_id == key_id:
                return key
        return None


@lru_cache(maxsize=8)
def _ring_for(current: str, previous: tuple[str, ...]) -> KeyRing:
    return KeyRing(IdentityKey.from_root(current), tuple(IdentityKey.from_root(p) for p in previous if p.strip()))


def keyring() -> KeyRing:
    """The keys in force now (read from settings at call time, so tests and rotations may change them)."""
    from django.conf import settings

    current = getattr(settings, "DOCKET_IDENTITY_KEY", "")
    if not current:
        raise ImproperlyConfigured("DOCKET_IDENTITY_KEY is not set (config/settings.py sets it).")
    previous = tuple(getattr(settings, "DOCKET_IDENTITY_PREVIOUS_KEYS", ()) or ())
    return _ring_for(current, previous)


def key_id() -> str:
    """The id of the current key: what a backup manifest records, so a restore can tell whether it holds the key."""
    return keyring().current.key_id


# --- Values ------------------------------------------------------------------------------------------------------
def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def sealed_key_id(value: str) -> str | None:
    """The key id a stored value was sealed under (None for a plain or empty value)."""
    if not is_sealed(value):
        return None
    return value[len(PREFIX):].split(":", 1)[0]


def encrypt(plaintext: str, *, context: str) -> str:
    """Seal ``plaintext`` under the current key; ``context`` (the field's name) is bound as associated data."""
    key = keyring().current
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return f"{PREFIX}{key.key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def decrypt(stored: str, *, context: str) -> str:
    """Open a value sealed by ``encrypt``. A value that is not sealed (written before encryption was turned on) is
    returned as it is; ``rotate_identity_key`` seals such leftovers."""
    if not is_sealed(stored):
        return stored
    key_id_, _sep, payload = stored[len(PREFIX):].partition(":")
    key = keyring().by_id(key_id_)
    if key is None:
        raise DecryptionError(
            f"an identity value was sealed under key {key_id_}, which is neither DOCKET_IDENTITY_KEY nor one of "
            "DOCKET_IDENTITY_PREVIOUS_KEYS"
        )
    try:
        raw = base64.urlsafe_b64decode(payload.encode("ascii"))
        return key.aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8")).decode("utf-8")
    except (InvalidTag, ValueError, binascii.Error, UnicodeError) as exc:
        raise DecryptionError(f"an identity value under key {key_id_} does not open (damaged or moved)") from exc


def needs_reseal(stored: object) -> bool:
    """A stored value that is not sealed under the current key (plain, or under a previous key)."""
    if not isinstance(stored, str) or stored == "":
        return False
    return sealed_key_id(stored) != keyring().current.key_id


# --- The blind index -----------------------------------------------------------------------------------------------
def blind_token(term: str, *, key: IdentityKey | None = None) -> str:
    """The index form of one analysed identity term (see ``search.text.analyze``): a keyed hash that the search
    analyzer leaves as it is (lower-case letters ``bi`` and digits 0-9 only, so no stemmer cuts a suffix off)."""
    key = key or keyring().current
    digest = hmac.new(key.blind_key, term.encode("utf-8"), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    return f"{BLIND_PREFIX}{number:020d}"


def fingerprint(root: str) -> str:
    """The key id a root key would have (for ``rotate_identity_key`` output and backup manifests)."""
    return IdentityKey.from_root(root).key_id
