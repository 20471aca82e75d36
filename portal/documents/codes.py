"""Verification codes: 12 Crockford base32 characters in three groups, e.g. `7K4M-Q2ZP-9XWD` (DESIGN.md).

Crockford's alphabet leaves out I, L, O and U, so a code read aloud or typed from paper is not mistaken; what
people type is read leniently (any case, spaces or no hyphens, O for 0, I and L for 1). 60 random bits: guessing
a live code is hopeless, and /verify is rate-limited on top of that.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
GROUP = 4
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-–]+")


def new_code() -> str:
    """A fresh random code in its printed form."""
    return _grouped("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def normalise_code(typed: str) -> str | None:
    """The printed form of what someone typed or the QR link carried; None when it cannot be a code."""
    if len(typed) > 40:  # a code with generous spacing is far shorter: no work spent on anything longer
        return None
    compact = _SEPARATORS.sub("", typed).upper().translate(_LOOKALIKES)
    if len(compact) != LENGTH or any(char not in ALPHABET for char in compact):
        return None
    return _grouped(compact)


def _grouped(compact: str) -> str:
    return "-".join(compact[start : start + GROUP] for start in range(0, LENGTH, GROUP))
