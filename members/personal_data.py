"""Encryption, keyed hashing and masking of personal data (ID numbers, phone numbers).

Values are encrypted with AES-256-GCM (``cryptography``'s AEAD: confidentiality and integrity, a fresh 96-bit
nonce per value) under keys derived with HKDF-SHA256 from ``PERSONAL_DATA_KEYS`` (newest first: rotation adds
a key in front, old ciphertexts still decrypt). A token is ``g1:`` and the URL-safe base64 of nonce, ciphertext
and tag. Tokens written before as Fernet tokens (AES-128-CBC with HMAC-SHA256, under the same keys) still
decrypt; GCM costs about a seventh of Fernet per value, which counts at a million volunteers.

Values are found by an HMAC-SHA256 under ``PERSONAL_DATA_HASH_KEY``, so an exact search or a duplicate check
never needs the plain value and the database never holds it.
"""
import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GCM_PREFIX = "g1:"


def _keys() -> tuple[str, ...]:
    keys = tuple(settings.PERSONAL_DATA_KEYS)
    if not keys:
        raise ImproperlyConfigured("未配置 PERSONAL_DATA_KEYS，无法加密个人信息。")
    return keys


@lru_cache(maxsize=4)
def _ciphers(keys: tuple[str, ...]) -> tuple[AESGCM, ...]:
    return tuple(
        AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"personal-data aes-256-gcm").derive(
            base64.urlsafe_b64decode(key)))
        for key in keys
    )


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(value: str) -> str:
    if not value:
        return ""
    nonce = os.urandom(12)
    sealed = _ciphers(_keys())[0].encrypt(nonce, value.encode(), None)
    return GCM_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    keys = _keys()
    if not token.startswith(GCM_PREFIX):
        return _fernet(keys).decrypt(token.encode()).decode()  # written before GCM
    raw = base64.urlsafe_b64decode(token[len(GCM_PREFIX):])
    for cipher in _ciphers(keys):
        try:
            return cipher.decrypt(raw[:12], raw[12:], None).decode()
        except InvalidTag:
            continue
    raise InvalidToken


def is_current(token: str) -> bool:
    """Whether ``token`` is sealed with the newest key (nothing to rotate)."""
    if not token:
        return True
    if not token.startswith(GCM_PREFIX):
        return False
    raw = base64.urlsafe_b64decode(token[len(GCM_PREFIX):])
    try:
        _ciphers(_keys())[0].decrypt(raw[:12], raw[12:], None)
    except InvalidTag:
        return False
    return True


def reseal(token: str) -> str:
    """``token`` opened with whichever key sealed it and sealed again with the newest."""
    return encrypt(decrypt(token)) if token else token


def fingerprint(key: str) -> str:
    """A short name for a key that reveals nothing of it: which keys a backup needs, without the keys."""
    return hashlib.sha256(b"personal-data key fingerprint:" + key.encode()).hexdigest()[:16]


def key_fingerprints() -> dict[str, list[str] | str]:
    return {"PERSONAL_DATA_KEYS": [fingerprint(key) for key in _keys()],
            "PERSONAL_DATA_HASH_KEY": fingerprint(settings.PERSONAL_DATA_HASH_KEY)}


@lru_cache(maxsize=4)
def _hmac(key: str):
    if not key:
        raise ImproperlyConfigured("未配置 PERSONAL_DATA_HASH_KEY。")
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def keyed_hash(value: str) -> str:
    mac = _hmac(settings.PERSONAL_DATA_HASH_KEY).copy()  # the key schedule once, not per value
    mac.update(value.encode())
    return mac.hexdigest()


def mask_id_number(value: str) -> str:
    """1501**********1234"""
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****1234"""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
