"""Encryption, keyed hashing and masking of personal data (ID numbers, phone numbers).

Values are encrypted with Fernet (``cryptography``) under ``PERSONAL_DATA_KEYS`` (newest first: rotation adds a
key in front, old ciphertexts still decrypt) and found by an HMAC-SHA256 under ``PERSONAL_DATA_HASH_KEY``, so
an exact search or a duplicate check never needs the plain value and the database never holds it.
"""
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("未配置 PERSONAL_DATA_KEYS，无法加密个人信息。")
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet(tuple(settings.PERSONAL_DATA_KEYS)).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    return _fernet(tuple(settings.PERSONAL_DATA_KEYS)).decrypt(token.encode()).decode()


def keyed_hash(value: str) -> str:
    if not settings.PERSONAL_DATA_HASH_KEY:
        raise ImproperlyConfigured("未配置 PERSONAL_DATA_HASH_KEY。")
    return hmac.new(settings.PERSONAL_DATA_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


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
