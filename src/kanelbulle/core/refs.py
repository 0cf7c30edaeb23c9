"""Refs: the stable, human-quotable identity of a record (``c-7kq2m9``).

Imported records keep theirs; records created in the app get a kind prefix and a random part.
"""

from __future__ import annotations

import secrets

# No 0/o, 1/l/i: a ref is read aloud and typed from paper.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"

PREFIXES = {
    "customer": "c",
    "contact": "p",
    "meeting": "m",
    "meeting_request": "r",
    "deal": "d",
    "order": "o",
    "gift": "g",
}


def new_ref(kind: str, length: int = 6) -> str:
    return PREFIXES[kind] + "-" + "".join(secrets.choice(ALPHABET) for _ in range(length))
