"""Sending with Python's smtplib, configured by the ``PLCQI_SMTP_*`` settings."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass

from plcqi import settings
from plcqi.publish.delivery.messages import Message

TLS_MODES = ("starttls", "ssl", "none")


class SmtpSettingsError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    user: str | None
    password: str | None
    sender: str
    timeout: float = 30.0

    @classmethod
    def from_env(cls) -> SmtpSettings:
        host, sender = settings.get("smtp_host"), settings.get("smtp_from")
        missing = [settings.setting(n).env for n, v in (("smtp_host", host),
                                                       ("smtp_from", sender)) if not v]
        if missing:
            raise SmtpSettingsError(f"{' and '.join(missing)} must be set to send the report "
                                    "e-mails (docs/access.md, Delivery)")
        tls = (settings.get("smtp_tls") or "").lower()
        if tls not in TLS_MODES:
            raise SmtpSettingsError(f"PLCQI_SMTP_TLS={tls!r}: expected one of "
                                    f"{', '.join(TLS_MODES)}")
        try:
            port = int(settings.get("smtp_port"))
        except ValueError:
            raise SmtpSettingsError(
                f"PLCQI_SMTP_PORT={settings.get('smtp_port')!r} is not a port number") from None
        user, password = settings.get("smtp_user"), settings.get("smtp_password")
        if user and not password:
            raise SmtpSettingsError("PLCQI_SMTP_USER is set but PLCQI_SMTP_PASSWORD is not")
        return cls(host=host, port=port, tls=tls, user=user, password=password, sender=sender)


class SmtplibTransport:
    """One connection, opened on the first send and again after a failure."""

    via = "smtp"

    def __init__(self, config: SmtpSettings):
        self.config = config
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context()
        if c.tls == "ssl":
            client = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
        else:
            client = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            if c.tls == "starttls":
                client.starttls(context=context)
        if c.user:
            client.login(c.user, c.password or "")
        return client

    def send(self, message: Message) -> None:
        if self._client is None:
            self._client = self._connect()
        try:
            self._client.send_message(message.email(), from_addr=self.config.sender,
                                      to_addrs=[message.to])
        except BaseException:
            self.close()  # the next attempt starts on a fresh connection
            raise

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
