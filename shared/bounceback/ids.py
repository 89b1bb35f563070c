"""Record ids: 26 characters, sortable by creation time, unguessable.

48 bits of milliseconds then 80 random bits, in Crockford's base32 (the ULID layout),
so a list query ordered by id is ordered by creation.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def new_id(at: datetime) -> str:
    """A fresh id whose prefix encodes `at`."""
    value = (int(at.timestamp() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def is_id(value: str) -> bool:
    """True when `value` has the shape of an id made by `new_id`."""
    return bool(ID_PATTERN.match(value))
