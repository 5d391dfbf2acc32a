"""The SQL HMAC equals Python's ``hmac`` (RFC 2104) for any key and message."""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import pytest

from plcqi.ingest import pseudonymize

MESSAGES = [
    "P001",
    "",
    "ada.lovelace@example.org",
    "Zoë Ångström-Núñez 👩🏽‍💻 東京",
    "a" * 200,
    "quote ' and backslash \\x00",
]
KEYS = [
    b"k",
    b"test-secret",
    b"x" * 64,  # exactly one block
    b"y" * 65,  # longer than a block: hashed first
    "ключ-🔑-secret-that-is-rather-long-".encode() * 4,
    bytes(range(256)),
]


@pytest.mark.parametrize("key", KEYS, ids=lambda k: f"key{len(k)}")
def test_sql_hmac_equals_python_hmac(key):
    con = duckdb.connect()
    pseudonymize.install(con, key)
    for message in MESSAGES:
        (got,) = con.execute("select plcqi_hmac(?)", [message]).fetchone()
        expected = hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()
        assert got == expected, (key, message)
        assert pseudonymize.hmac_hex(key, message) == expected
    con.close()


def test_sql_hmac_over_a_column_and_null():
    con = duckdb.connect()
    pseudonymize.install(con, b"secret")
    rows = con.execute(
        "select m, plcqi_hmac(m) from (values ('P001'), ('P002'), (null)) t(m) order by m"
    ).fetchall()
    assert rows == [
        ("P001", pseudonymize.hmac_hex(b"secret", "P001")),
        ("P002", pseudonymize.hmac_hex(b"secret", "P002")),
        (None, None),
    ]


def test_key_does_not_appear_in_the_macro_text():
    con = duckdb.connect()
    pseudonymize.install(con, b"super-secret-key")
    defs = con.execute(
        "select macro_definition from duckdb_functions() where function_name = 'plcqi_hmac'"
    ).fetchall()
    assert defs and all("super-secret-key" not in str(d) for d in defs)


def test_different_keys_differ():
    assert pseudonymize.hmac_hex(b"a", "P001") != pseudonymize.hmac_hex(b"b", "P001")
