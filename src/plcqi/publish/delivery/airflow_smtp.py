"""Sending through Airflow's SMTP provider: ``SmtpHook`` with the connection
``smtp_default`` (``PLCQI_SMTP_CONN_ID``), as the report DAG's ``deliver`` task does.

The hook builds the MIME message itself (HTML body, attachments from files): the message id
is passed as a header so that the delivery log names the message that went out.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from plcqi.publish.delivery.messages import Message


class AirflowSmtpTransport:
    def __init__(self, conn_id: str = "smtp_default"):
        self.conn_id = conn_id
        self.via = f"airflow:{conn_id}"
        self._hook = None

    def send(self, message: Message) -> None:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        if self._hook is None:
            self._hook = SmtpHook(smtp_conn_id=self.conn_id).get_conn()
        try:
            with tempfile.TemporaryDirectory(prefix="plcqi-mail-") as tmp:
                files = []
                if message.attachment is not None:
                    name, content = message.attachment
                    path = Path(tmp) / name
                    path.write_bytes(content)
                    files.append(str(path))
                self._hook.send_email_smtp(
                    to=[message.to], subject=message.subject, html_content=message.html,
                    from_email=message.sender, files=files,
                    custom_headers={"Message-ID": message.message_id},
                )
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        hook, self._hook = self._hook, None
        if hook is not None:
            hook.__exit__(None, None, None)
