"""Deliver the reports of one as-of date: every user with an e-mail address gets the link to
their audience's report, once (the delivery log), each failed send retried and then reported
while the others still go out."""

from __future__ import annotations

import smtplib
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

from plcqi import paths, settings
from plcqi.publish.access import AccessError
from plcqi.publish.access import users as users_file
from plcqi.publish.delivery import log, messages

ATTEMPTS = 3
BACKOFF_SECONDS = (2.0, 10.0)  # before the 2nd and the 3rd attempt


class DeliveryError(RuntimeError):
    """Nothing could be delivered (no link base, nothing published); the message says why."""


class Transport(Protocol):
    via: str

    def send(self, message: messages.Message) -> None: ...

    def close(self) -> None: ...


@dataclass
class DeliveryResult:
    as_of: date
    records: list[dict] = field(default_factory=list)

    def by_status(self, status: str) -> list[dict]:
        return [r for r in self.records if r["status"] == status]

    @property
    def failed(self) -> list[dict]:
        return self.by_status("failed")

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        counts = {s: len(self.by_status(s))
                  for s in ("sent", "already_sent", "failed", "no_report")}
        return (f"as of {self.as_of}: {counts['sent']} sent, {counts['already_sent']} "
                f"already sent, {counts['failed']} failed, {counts['no_report']} without a "
                "report for that date")


def attach_default() -> bool:
    value = (settings.get("delivery_attach") or "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise DeliveryError(f"PLCQI_DELIVERY_ATTACH={value!r}: expected true or false")


def permanent(error: BaseException) -> bool:
    """A refusal the server will repeat (5xx): retrying would not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                 for code, msg in error.recipients.values()]
        return "recipient refused: " + "; ".join(parts)
    if isinstance(error, smtplib.SMTPResponseException):
        msg = error.smtp_error
        text = msg.decode(errors="replace") if isinstance(msg, bytes) else str(msg)
        return f"SMTP {error.smtp_code} {text}"
    return f"{type(error).__name__}: {error}"


def _names(data_dir: Path) -> dict[str, str]:
    from plcqi.publish.api import index_context

    return {c["id"]: c["name"] for c in index_context(data_dir)["centers"]}


def published(data_dir: Path, as_of: date) -> bool:
    from plcqi.publish import layout
    from plcqi.publish.api import reports_dir

    root, name = reports_dir(data_dir), f"{as_of.isoformat()}.html"
    return any(root.glob(f"*/{name}")) or any(root.glob(f"{layout.CENTERS}/*/{name}"))


def deliver(data_dir: Path | str | None, as_of: date, transport: Transport, *,
            attach: bool | None = None, resend: bool = False, base_url: str | None = None,
            sender: str | None = None, attempts: int = ATTEMPTS,
            backoff: tuple[float, ...] = BACKOFF_SECONDS, echo=None) -> DeliveryResult:
    """Send each user with an address the link to their report as of ``as_of``."""
    data_dir = paths.data_dir(data_dir)
    echo = echo or (lambda line: None)
    attach = attach_default() if attach is None else attach
    result = DeliveryResult(as_of)
    try:
        readers = [u for u in users_file.load(data_dir) if u.email]
    except AccessError as e:
        raise DeliveryError(str(e)) from None
    if not readers:
        echo(f"no user has an e-mail address: nothing to deliver as of {as_of}")
        return result
    base_url = base_url or settings.get("reports_url")
    if not base_url or not base_url.startswith(("https://", "http://")):
        raise DeliveryError("PLCQI_REPORTS_URL must be set to the address where readers open "
                            f"the reports (https://...), not {base_url!r}: the e-mails "
                            "link there")
    if not published(data_dir, as_of):
        raise DeliveryError(f"no report is published as of {as_of} under "
                            f"{data_dir / 'reports'}: publish first (plcqi report)")
    names = _names(data_dir)
    root = data_dir / "reports"
    with log.lock(data_dir, as_of):
        done = log.sent(log.read(data_dir, as_of))
        try:
            for user in readers:
                record = _deliver_one(data_dir, as_of, user, transport, root, names, done,
                                      attach=attach, resend=resend, base_url=base_url,
                                      sender=sender, attempts=attempts, backoff=backoff)
                result.records.append(record)
                echo(_line(record))
        finally:
            transport.close()
    return result


def _line(r: dict) -> str:
    what = f"{r['user']} ({r['role']}) {r['report']}"
    if r["status"] == "sent":
        return f"sent         {what} {r['message_id']}"
    if r["status"] == "already_sent":
        return f"already sent {what}"
    if r["status"] == "no_report":
        return f"no report    {what}"
    return f"FAILED       {what} after {r['attempts']} attempt(s): {r['error']}"


def _deliver_one(data_dir, as_of, user, transport, root, names, done, *, attach, resend,
                 base_url, sender, attempts, backoff) -> dict:
    role = user.parsed_role
    report = role.report(as_of)
    record = {"as_of": as_of.isoformat(), "user": user.name, "role": str(role),
              "report": report, "via": transport.via}
    if (user.name, report) in done and not resend:
        return {**record, "status": "already_sent"}
    path = root / report
    if not path.is_file():
        record.update(status="no_report", at=_now())
        log.append(data_dir, as_of, record)
        return record
    message = messages.build(user.name, role, user.email, sender, as_of, base_url,
                             center_name=names.get(role.center_id or ""),
                             attachment=path.read_bytes() if attach else None)
    error = None
    tried = 0
    for tried in range(1, attempts + 1):
        try:
            transport.send(message)
            error = None
            break
        except Exception as e:  # noqa: BLE001 - reported in the log and the result
            error = e
            if permanent(e) or tried == attempts:
                break
            time.sleep(backoff[min(tried - 1, len(backoff) - 1)] if backoff else 0)
    record.update(at=_now(), message_id=message.message_id, attempts=tried,
                  attached=message.attachment is not None)
    if error is None:
        record["status"] = log.SENT
    else:
        record.update(status="failed", error=_reason(error))
    log.append(data_dir, as_of, record)
    return record


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def smtp_transport():
    """The transport of ``plcqi deliver``: smtplib over the PLCQI_SMTP_* settings."""
    from plcqi.publish.delivery.smtp import SmtplibTransport, SmtpSettings, SmtpSettingsError

    try:
        return SmtplibTransport(SmtpSettings.from_env())
    except SmtpSettingsError as e:
        raise DeliveryError(str(e)) from None
