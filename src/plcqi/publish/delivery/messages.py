"""The report e-mail: a subject, a plain-text and an HTML body, one link to the reader's
report and one to their index, and optionally the report itself attached.

A message names the reader's own audience only (their center, or leadership, or the
data-quality page) and carries no participant data: nothing but a date, a title and links.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from plcqi.publish import layout
from plcqi.publish.access.roles import ENGINEER, LEADERSHIP, Role


@dataclass(frozen=True)
class Message:
    user: str
    role: str
    to: str
    sender: str | None
    report: str  # path under reports/, e.g. C1/2026-06-30.html
    subject: str
    text: str
    html: str
    message_id: str
    attachment: tuple[str, bytes] | None = None  # file name, content

    def email(self) -> EmailMessage:
        """As a MIME message: text and HTML alternatives, then the attachment."""
        msg = EmailMessage()
        msg["Subject"] = self.subject
        if self.sender:
            msg["From"] = self.sender
        msg["To"] = self.to
        msg["Date"] = formatdate(usegmt=True)
        msg["Message-ID"] = self.message_id
        msg.set_content(self.text)
        msg.add_alternative(self.html, subtype="html")
        if self.attachment is not None:
            name, content = self.attachment
            msg.add_attachment(content, maintype="text", subtype="html", filename=name)
        return msg


def title(role: Role, center_name: str | None = None) -> str:
    """
    >>> title(Role("center", "C1"), "Center One")
    'Center One: CQI report'
    >>> title(Role("region", region=3))
    'ACF Region 3: TA planning report'
    >>> title(Role("leadership"))
    'Cross-center CQI report for OCC leadership'
    """
    if role.kind == LEADERSHIP:
        return "Cross-center CQI report for OCC leadership"
    if role.kind == ENGINEER:
        return "Data-quality page"
    if role.kind == "region":
        return f"{layout.region_name(role.region)}: TA planning report"
    return f"{center_name or role.center_id}: CQI report"


def _who_else(role: Role) -> str:
    if role.kind == "center":
        return "Only your center's readers and OCC leadership can open it."
    if role.kind == "region":
        return "Only your region's readers and OCC leadership can open it."
    if role.kind == LEADERSHIP:
        return "Only OCC leadership and the data engineers can open it."
    return "Only the data engineers can open it."


def build(user: str, role: Role, to: str, sender: str | None, as_of: date, base_url: str,
          center_name: str | None = None, attachment: bytes | None = None) -> Message:
    """The message for one reader."""
    report = role.report(as_of)
    base = base_url.rstrip("/")
    link, index = f"{base}/{report}", f"{base}/"
    what = title(role, center_name)
    subject = f"{what}, as of {as_of.isoformat()}"
    text = (
        f"{what}, as of {as_of.isoformat()}, is published.\n\n"
        f"Open it: {link}\n"
        f"Every report you can read, by as-of date: {index}\n\n"
        f"Sign in with your plcqi reports user name and password. {_who_else(role)}\n"
        + ("The report is also attached; it opens offline in any browser.\n"
           if attachment is not None else "")
        + "\nSent by plcqi after the reports were published.\n"
    )
    e = html.escape
    body = (
        "<!doctype html><html lang=\"en\"><body>"
        f"<p>{e(what)}, as of {e(as_of.isoformat())}, is published.</p>"
        f"<p><a href=\"{e(link)}\">Open the report</a> &middot; "
        f"<a href=\"{e(index)}\">every report you can read</a></p>"
        f"<p>Sign in with your plcqi reports user name and password. {e(_who_else(role))}</p>"
        + ("<p>The report is also attached; it opens offline in any browser.</p>"
           if attachment is not None else "")
        + "<p>Sent by plcqi after the reports were published.</p></body></html>"
    )
    domain = sender.rsplit("@", 1)[-1] if sender and "@" in sender else None
    name = report.replace("/", "-")
    return Message(user=user, role=str(role), to=to, sender=sender, report=report,
                   subject=subject, text=text, html=body,
                   message_id=make_msgid("plcqi", domain=domain),
                   attachment=(name, attachment) if attachment is not None else None)
