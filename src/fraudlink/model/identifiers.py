"""How hard identifiers travel between partners.

National id numbers never leave the organisation that collected them in clear.
Every partner computes the same keyed hash (HMAC-SHA-256 under a partnership key
that the partners share out of band), so equal ids still match across platforms
while an outsider cannot recover an id by hashing all 18-digit candidates, as
they could with a plain hash.
"""

from __future__ import annotations

import hashlib
import hmac

# The key the simulator and the demo use. A real partnership configures its own secret.
DEMO_PARTNERSHIP_KEY = b"fraudlink demo partnership key - not a secret"


def hash_national_id(id_number: str, key: bytes = DEMO_PARTNERSHIP_KEY) -> str:
    """The partnership's pseudonym for a national id (normalised: trimmed, upper case).

    >>> hash_national_id("11010519491231002X") == hash_national_id(" 11010519491231002x ")
    True
    """
    normalised = id_number.strip().upper().encode()
    return hmac.new(key, normalised, hashlib.sha256).hexdigest()[:32]
