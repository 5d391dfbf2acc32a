"""Keyed hashing of personal data, inside DuckDB so it runs vectorized over millions of rows,
and the check that every ingestion of a data folder uses the same key.

HMAC-SHA256(K, m) = SHA256((K' xor opad) || SHA256((K' xor ipad) || m)), with K' the key
padded to the 64-byte block (RFC 2104). DuckDB has SHA-256 but no HMAC, so ``install`` writes the
construction as a temporary SQL macro with the two pads as BLOB literals. ``hmac_hex`` in Python is
the reference it is tested against.

Keys made with two secrets never match, so the raw zone keeps the fingerprint of its key (an
HMAC of a fixed label, which does not reveal the key) and :func:`checked_key` refuses any other.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from plcqi import locks, settings
from plcqi.files import is_temporary, write_json
from plcqi.settings import KeyRefused

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


FINGERPRINT_LABEL = "plcqi pseudonymization key fingerprint, v1"


def fingerprint(key: bytes) -> str:
    """The fingerprint of a key: the HMAC of a fixed label, never the key itself.

    >>> fingerprint(b"k" * 32)[:12]
    'afea812e9316'
    """
    return hmac_hex(key, FINGERPRINT_LABEL)


def checked_key(zone) -> bytes:
    """The configured key (``settings.pii_key``), checked against the raw zone of ``zone``
    (a :class:`plcqi.ingest.rawzone.Zone`): the fingerprint of its first ingestion is kept
    (``raw/_key_fingerprint.json``) and any other key is refused, as is the public demo key
    for a landing folder that ``plcqi generate`` did not write. Raises ``KeyRefused``."""
    key = settings.pii_key()
    if key == settings.DEMO_KEY.encode("utf-8") and not zone.demo_marker.exists():
        raise KeyRefused(
            f"PLCQI_PII_SECRET is not set (or is the public demo key), and {zone.landing} is "
            "not the generated demo data the demo key is for: set PLCQI_PII_SECRET to a "
            f"secret of at least {settings.MIN_KEY_BYTES} bytes before ingesting real data"
        )
    mine = fingerprint(key)
    stored = _stored(zone)
    if stored is None:
        with locks.exclusive(zone.root, "pii_key", what="the raw zone's key fingerprint"):
            for p in zone.key_fingerprint.parent.glob(f".{zone.key_fingerprint.name}.*"):
                if is_temporary(p):
                    p.unlink(missing_ok=True)
            stored = _stored(zone)
            if stored is None:
                write_json(zone.key_fingerprint, {"fingerprint": mine, "label": FINGERPRINT_LABEL})
                stored = mine
    if stored != mine:
        raise KeyRefused(
            f"the raw zone in {zone.root} was pseudonymized with another key (fingerprint "
            f"{stored[:12]}, this key's is {mine[:12]}): its participant keys could never "
            "match the ones this key makes, so nothing was ingested. Set PLCQI_PII_SECRET to "
            "the key this data folder was built with, or ingest into a new data folder"
        )
    return key


def _stored(zone) -> str | None:
    p = zone.key_fingerprint
    return json.loads(p.read_text())["fingerprint"] if p.exists() else None
