"""Keyed hashing of personal data, inside DuckDB so it runs vectorized over millions of rows.

HMAC-SHA256(K, m) = SHA256((K' xor opad) || SHA256((K' xor ipad) || m)), with K' the key
padded to the 64-byte block (RFC 2104). DuckDB has SHA-256 but no HMAC, so ``install`` writes the
construction as a temporary SQL macro with the two pads as BLOB literals. ``hmac_hex`` in Python is
the reference it is tested against.
"""

from __future__ import annotations

import hashlib
import hmac

_BLOCK = 64


def pads(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer HMAC pads of ``key``."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def _blob_literal(data: bytes) -> str:
    return "'" + "".join(f"\\x{b:02x}" for b in data) + "'::blob"


def install(con, key: bytes) -> None:
    """Define ``plcqi_hmac(text)`` on a DuckDB connection: the hex HMAC of its argument.

    The key lives only in the connection's temporary macro, never in a query's text.
    """
    ipad, opad = pads(key)
    con.execute(
        "create or replace temp macro plcqi_hmac(m) as "
        f"sha256({_blob_literal(opad)} || unhex(sha256({_blob_literal(ipad)} || encode(m))))"
    )


def hmac_hex(key: bytes, message: str) -> str:
    """The same keyed hash in Python.

    >>> hmac_hex(b"k", "P001")[:12]
    'e63a3bbd3397'
    """
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()

