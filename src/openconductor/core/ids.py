"""Sortable unique ids: 48 bits of milliseconds then 80 random bits, in Crockford base32 (ULID layout)."""

from __future__ import annotations

import os
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Two symbols (10 bits) per lookup.
_PAIRS = [high + low for high in _ALPHABET for low in _ALPHABET]
# The 130 bits split on a symbol boundary: 2 zero bits and the 48-bit time make the first 10 symbols,
# the 80 random bits the last 16. The time part changes once a millisecond, so it is kept: (millis, text).
_time_part = (-1, "")


def _encode(value: int, pairs: int) -> str:
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in range(10 * (pairs - 1), -1, -10)])


def new_id(prefix: str) -> str:
    global _time_part
    millis = time.time_ns() // 1_000_000
    cached = _time_part
    if cached[0] != millis:
        cached = _time_part = (millis, _encode(millis, 5))
    r = int.from_bytes(os.urandom(10), "big")
    p = _PAIRS
    return (
        f"{prefix}_{cached[1]}{p[r >> 70]}{p[(r >> 60) & 1023]}{p[(r >> 50) & 1023]}{p[(r >> 40) & 1023]}"
        f"{p[(r >> 30) & 1023]}{p[(r >> 20) & 1023]}{p[(r >> 10) & 1023]}{p[r & 1023]}"
    )
