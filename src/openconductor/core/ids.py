"""Sortable unique ids: 48 bits of milliseconds then 80 random bits, in Crockford base32 (ULID layout)."""

from __future__ import annotations

import os
import random
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Two symbols (10 bits) per lookup.
_PAIRS = [high + low for high in _ALPHABET for low in _ALPHABET]
# The 130 bits split on a symbol boundary: 2 zero bits and the 48-bit time make the first 10 symbols,
# the 80 random bits the last 16. The time part changes once a millisecond, so it is kept: (millis, text).
_time_part = (-1, "")


# The 80 random bits come from a generator the OS seeds (again in every forked child), not from a
# system call per id: ids must be unique, never secret (tokens are made by `secrets`), and reading
# `os.urandom` for each id was the largest single cost of opening an incident.
_random = random.Random(os.urandom(32))
os.register_at_fork(after_in_child=lambda: _random.seed(os.urandom(32)))


def _encode(value: int, pairs: int) -> str:
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in range(10 * (pairs - 1), -1, -10)])


def new_id(prefix: str) -> str:
    global _time_part
    millis = time.time_ns() // 1_000_000
    cached = _time_part
    if cached[0] != millis:
        cached = _time_part = (millis, _encode(millis, 5))
    r = _random.getrandbits(80)
    p = _PAIRS
    return (
        f"{prefix}_{cached[1]}{p[r >> 70]}{p[(r >> 60) & 1023]}{p[(r >> 50) & 1023]}{p[(r >> 40) & 1023]}"
        f"{p[(r >> 30) & 1023]}{p[(r >> 20) & 1023]}{p[(r >> 10) & 1023]}{p[r & 1023]}"
    )
