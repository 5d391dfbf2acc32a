"""``plcqi deliver`` against a real SMTP server on loopback (aiosmtpd): each reader gets
exactly one message, about their own audience only, with their report attached when asked;
nothing is sent twice; a refused or deferred send is retried, reported, and does not stop
the others; every send is in the delivery log."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from plcqi.cli import main
from plcqi.publish.delivery import deliver, log
from plcqi.publish.delivery.smtp import SmtplibTransport, SmtpSettings
from tests.publish.report_site import AS_OF, READERS, make_site
from tests.publish.smtp_server import SmtpServer

BASE = "https://reports.example.org"
SENDER = "cqi-reports@plcqi.example.org"
EMAILS = {name: email for name, _, email in READERS if email}
ROLES = {name: role for name, role, _ in READERS}
REPORT = {"ana": f"centers/C1/{AS_OF}.html", "ben": f"centers/C2/{AS_OF}.html",
          "lee": f"leadership/{AS_OF}.html", "eng": f"data-quality/{AS_OF}.html",
          "rae": f"regions/1/{AS_OF}.html"}


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "data")


@pytest.fixture
def smtp(monkeypatch):
    with SmtpServer() as server:
        for name, value in {"PLCQI_SMTP_HOST": "127.0.0.1", "PLCQI_SMTP_PORT": str(server.port),
                            "PLCQI_SMTP_TLS": "none", "PLCQI_SMTP_FROM": SENDER,
                            "PLCQI_REPORTS_URL": BASE}.items():
            monkeypatch.setenv(name, value)
        for name in ("PLCQI_SMTP_USER", "PLCQI_SMTP_PASSWORD", "PLCQI_DELIVERY_ATTACH"):
            monkeypatch.delenv(name, raising=False)
        yield server.handler


def run_deliver(site, *extra):
    return CliRunner().invoke(main, ["deliver", "--data-dir", str(site), "--as-of",
                                     AS_OF.isoformat(), *extra])


def _body(msg) -> str:
    return "\n".join(part.get_content() for part in msg.walk()
                     if part.get_content_type() in ("text/plain", "text/html")
                     and not part.get_filename())


def test_each_reader_gets_one_message_about_their_own_report(site, smtp):
    result = run_deliver(site)
    assert result.exit_code == 0, result.output
    assert "as of 2026-06-30: 5 sent, 0 already sent, 0 failed" in result.output
    assert len(smtp.messages) == 5
    for name, address in EMAILS.items():
        [got] = smtp.to(address)
        assert got.rcpt_tos == [address] and got.mail_from == SENDER
        msg = got.message
        assert msg["To"] == address and msg["From"] == SENDER
        body = _body(msg)
        assert f"{BASE}/{REPORT[name]}" in body
        links = set(re.findall(r"https://[^\s\"<]+", body))
        assert links == {f"{BASE}/{REPORT[name]}", f"{BASE}/"}, links
        assert "2026-06-30" in msg["Subject"]
        assert not msg.get_filename() and not list(msg.iter_attachments())
        # nothing about anyone else: no other address, no participant, no other center
        assert re.findall(r"[\w.+-]+@[\w.-]+", body) == []
        others = {"ana": ("C2", "Center Two", "leadership/", "regions/"),
                  "ben": ("C1", "leadership/", "regions/"),
                  "rae": ("centers/", "leadership/", "regions/10", "Center One")}
        for word in others.get(name, ()):
            assert word not in body and word not in msg["Subject"], (name, word)
    assert not smtp.to("cy")  # no address, no message


def test_nothing_is_sent_twice_unless_resend(site, smtp):
    assert run_deliver(site).exit_code == 0
    again = run_deliver(site)
    assert again.exit_code == 0, again.output
    assert "0 sent, 5 already sent" in again.output
    assert len(smtp.messages) == 5
    resent = run_deliver(site, "--resend")
    assert resent.exit_code == 0 and "5 sent, 0 already sent" in resent.output
    assert len(smtp.messages) == 10
    for address in EMAILS.values():
        assert len(smtp.to(address)) == 2


def test_the_log_names_role_report_time_and_message_id(site, smtp):
    assert run_deliver(site).exit_code == 0
    records = [json.loads(line) for line in log.log_path(site, AS_OF).read_text().splitlines()]
    assert len(records) == 5
    ids = {m.message["Message-ID"] for m in smtp.messages}
    for r in records:
        assert r["status"] == "sent" and r["report"] == REPORT[r["user"]]
        assert r["role"] == ROLES[r["user"]] and r["via"] == "smtp" and r["attempts"] == 1
        assert r["at"].startswith("20") and r["message_id"] in ids
        assert "@" not in json.dumps({k: v for k, v in r.items() if k != "message_id"})


def test_attachment_is_the_readers_own_report(site, smtp):
    result = run_deliver(site, "--attach")
    assert result.exit_code == 0, result.output
    for name, address in EMAILS.items():
        [got] = smtp.to(address)
        [part] = list(got.message.iter_attachments())
        assert part.get_filename() == REPORT[name].replace("/", "-")
        assert part.get_content_type() == "text/html"
        assert part.get_payload(decode=True) == (site / "reports" / REPORT[name]).read_bytes()


def test_attach_from_the_setting(site, smtp, monkeypatch):
    monkeypatch.setenv("PLCQI_DELIVERY_ATTACH", "true")
    assert run_deliver(site).exit_code == 0
    assert all(len(list(m.message.iter_attachments())) == 1 for m in smtp.messages)
    monkeypatch.setenv("PLCQI_DELIVERY_ATTACH", "maybe")
    bad = run_deliver(site, "--resend")
    assert bad.exit_code != 0 and "PLCQI_DELIVERY_ATTACH='maybe'" in bad.output


def test_a_refused_send_is_reported_and_the_others_still_go_out(site, smtp):
    smtp.refuse.add(EMAILS["ben"])  # 550: permanent, no retry
    smtp.defer_once.add(EMAILS["lee"])  # 451 once: the retry goes through
    transport = SmtplibTransport(SmtpSettings.from_env())
    result = deliver(site, AS_OF, transport, sender=SENDER, backoff=(0.0,))
    by_user = {r["user"]: r for r in result.records}
    assert by_user["ben"]["status"] == "failed" and by_user["ben"]["attempts"] == 1
    assert "550" in by_user["ben"]["error"]
    assert by_user["lee"]["status"] == "sent" and by_user["lee"]["attempts"] == 2
    assert by_user["ana"]["status"] == by_user["eng"]["status"] == "sent"
    assert len(smtp.to(EMAILS["lee"])) == 1 and not smtp.to(EMAILS["ben"])
    assert not result.ok and len(smtp.messages) == 4
    # The CLI says so and fails; a re-run tries only the one that failed.
    smtp.refuse.clear()
    again = run_deliver(site)
    assert again.exit_code == 0, again.output
    assert "1 sent, 4 already sent" in again.output
    assert len(smtp.to(EMAILS["ben"])) == 1 and len(smtp.messages) == 5


def test_the_cli_fails_when_a_send_fails(site, smtp):
    smtp.refuse.add(EMAILS["eng"])
    result = run_deliver(site)
    assert result.exit_code == 1
    assert "FAILED       eng (engineer)" in result.output
    assert "1 report e-mail(s) not delivered" in result.output
    assert len(smtp.messages) == 4


def test_an_unreachable_server_is_retried_then_reported(site, monkeypatch):
    from tests.publish.report_site import free_port

    monkeypatch.setenv("PLCQI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PLCQI_SMTP_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("PLCQI_SMTP_TLS", "none")
    monkeypatch.setenv("PLCQI_SMTP_FROM", SENDER)
    transport = SmtplibTransport(SmtpSettings.from_env())
    result = deliver(site, AS_OF, transport, base_url=BASE, sender=SENDER, attempts=3,
                     backoff=(0.0,))
    assert [r["status"] for r in result.records] == ["failed"] * 5
    assert all(r["attempts"] == 3 and "ConnectionRefusedError" in r["error"]
               for r in result.records)
    assert log.sent(log.read(site, AS_OF)) == set()


def test_clear_errors(site, smtp, monkeypatch, tmp_path):
    monkeypatch.delenv("PLCQI_REPORTS_URL")
    result = run_deliver(site)
    assert result.exit_code != 0 and "PLCQI_REPORTS_URL must be set" in result.output
    monkeypatch.setenv("PLCQI_REPORTS_URL", BASE)
    result = CliRunner().invoke(main, ["deliver", "--data-dir", str(site), "--as-of",
                                       "2020-01-31"])
    assert result.exit_code != 0 and "no report is published as of 2020-01-31" in result.output
    monkeypatch.delenv("PLCQI_SMTP_HOST")
    result = run_deliver(site)
    assert result.exit_code != 0 and "PLCQI_SMTP_HOST must be set" in result.output
    assert smtp.messages == []
    empty = make_site(tmp_path / "empty", readers=[("cy", "center:C1", None)])
    monkeypatch.setenv("PLCQI_SMTP_HOST", "127.0.0.1")
    result = CliRunner().invoke(main, ["deliver", "--data-dir", str(empty), "--as-of",
                                       AS_OF.isoformat()])
    assert result.exit_code == 0 and "no user has an e-mail address" in result.output


def test_a_reader_whose_center_has_no_report_that_day(site, smtp):
    (site / "reports" / "centers" / "C2" / f"{AS_OF}.html").unlink()
    result = run_deliver(site)
    assert result.exit_code == 0, result.output
    assert "no report    ben (center:C2)" in result.output
    assert not smtp.to(EMAILS["ben"]) and len(smtp.messages) == 4
