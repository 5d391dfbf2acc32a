"""What keeps personal data and active content out of a report.

- ``redact``: emails and phone numbers out of free text (survey comments), before escaping.
- ``check_marts``: the marts hold no personal column (INPUTS.md "Personal data").
- ``check_html``: a rendered page holds no email address and loads nothing from outside.
- ``check_svg``: a chart's SVG carries no script, event handler or external reference.
"""

from __future__ import annotations

import re

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# Candidate phone numbers: digits with the usual separators, optionally a leading + and an
# extension; kept when they hold 7 to 15 digits and are not a date.
PHONE_RE = re.compile(
    r"(?<![\w+])\+?\(?\d[\d\s().\-]{5,}\d(?:\s*(?:x|ext\.?)\s*\d{1,5})?(?![\w])"
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _phone(m: re.Match) -> str:
    text = m.group(0)
    digits = sum(ch.isdigit() for ch in re.split(r"\s*(?:x|ext)", text)[0])
    if 7 <= digits <= 15 and not _DATE_RE.match(text.strip()):
        return "[phone removed]"
    return text


PERSONAL_COLUMNS = frozenset({
    "full_name", "email", "email_key", "participant_id", "participant_key", "role_title",
    "organization", "comments", "response_text",
})


class UnsafeReport(RuntimeError):
    """A report would carry personal data or active content; it is not written."""


def redact(text: str) -> str:
    """Free text with email addresses and phone numbers replaced.

    >>> redact("Write to ana.b@state.gov or call (555) 123-4567 / +1 555.123.4567 ext 12")
    'Write to [email removed] or call [phone removed] / [phone removed]'
    >>> redact("We met 3 times in 2024 and 12 states joined")
    'We met 3 times in 2024 and 12 states joined'
    """
    text = EMAIL_RE.sub("[email removed]", text)
    return PHONE_RE.sub(_phone, text)


def check_marts(columns: dict[str, list[str]]) -> None:
    """Raise when a mart has a column that holds personal data.

    >>> check_marts({"dim_grantees": ["grantee_id", "grantee_name"]})
    >>> check_marts({"dim_people": ["full_name"]})
    Traceback (most recent call last):
    ...
    plcqi.publish.safety.UnsafeReport: personal data column(s) in the marts: dim_people.full_name
    """
    bad = [f"{t}.{c}" for t, cols in sorted(columns.items()) for c in cols
           if c.lower() in PERSONAL_COLUMNS]
    if bad:
        raise UnsafeReport(f"personal data column(s) in the marts: {', '.join(bad)}")


_EXTERNAL_RE = re.compile(
    r"""(?:src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(?!data:|#|mailto:)"""
    r"""[a-z][a-z0-9+.\-]*:""",
    re.IGNORECASE,
)
_RELATIVE_LINK_RE = re.compile(r"""<(?:img|script|link|iframe|source|embed)\b[^>]*""", re.I)
_CSS_URL_RE = re.compile(r"""url\(\s*["']?(?!data:|#)""", re.IGNORECASE)


def check_html(html: str, *, allow_links: bool = True) -> None:
    """Raise when a page would show an email address or load anything from outside itself.

    Links (``<a href>``) to other reports are allowed; nothing may be *loaded* from another
    file or the network (images, scripts, stylesheets, CSS ``url()``).

    >>> check_html('<p>ok</p><a href="C1/2026-06-30.html">C1</a>')
    >>> check_html('<img src="https://example.org/x.png">')
    Traceback (most recent call last):
    ...
    plcqi.publish.safety.UnsafeReport: the page loads a resource: <img src="https://example.org/x.png"
    """
    m = EMAIL_RE.search(html)
    if m:
        raise UnsafeReport("the page contains an email address")
    for tag in _RELATIVE_LINK_RE.finditer(html):
        t = tag.group(0)
        if re.search(r"""\b(?:src|href)\s*=\s*["']?(?!data:|#)""", t, re.I):
            raise UnsafeReport(f"the page loads a resource: {t[:80]}")
    if _CSS_URL_RE.search(html):
        raise UnsafeReport("the stylesheet loads a resource through url()")
    if not allow_links and _EXTERNAL_RE.search(html):
        raise UnsafeReport("the page links outside itself")


_SVG_BAD_RE = re.compile(
    r"<\s*(?:script|foreignObject|iframe)\b|\son[a-z]+\s*=|javascript:", re.IGNORECASE
)
_SVG_HREF_RE = re.compile(r"""(?:xlink:)?href\s*=\s*["'](?!data:|#)""", re.IGNORECASE)


def check_svg(svg: str) -> str:
    """Return ``svg`` when it is inert (no script, handler or external reference), else raise.

    >>> check_svg('<svg><text>&lt;script&gt;</text></svg>')
    '<svg><text>&lt;script&gt;</text></svg>'
    >>> check_svg('<svg><script>alert(1)</script></svg>')
    Traceback (most recent call last):
    ...
    plcqi.publish.safety.UnsafeReport: a chart's SVG holds active content
    """
    if not svg.lstrip().startswith("<svg") or _SVG_BAD_RE.search(svg) or _SVG_HREF_RE.search(svg):
        raise UnsafeReport("a chart's SVG holds active content")
    return svg
