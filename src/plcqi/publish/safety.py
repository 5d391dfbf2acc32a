"""What keeps personal data and active content out of a report.

- ``redact``: emails and phone numbers out of free text (survey comments), before escaping.
- ``check_marts``: the marts hold no personal column (INPUTS.md "Personal data").
- ``check_html``: a rendered page holds no email address and loads nothing from outside.
- ``check_svg``: a chart's SVG carries no script, event handler or external reference.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from xml.parsers import expat

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# Candidate phone numbers: digits with the usual separators, optionally a leading + and an
# extension; kept when they hold 7 to 15 digits and are not a date.
PHONE_RE = re.compile(
    r"(?<![\w+])\+?\(?\d[\d\s().\-]{5,}\d(?:\s*(?:x|ext\.?)\s*\d{1,5})?(?![\w])"
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# The longest an address can be on either side of its "@" (RFC 5321: 64 and 255).
_LOCAL_MOST, _DOMAIN_MOST = 64, 255


def has_email(text: str) -> bool:
    """Whether ``text`` holds an e-mail address (``EMAIL_RE``), looked for around each "@"
    only: a page of megabytes (inline SVG, data URIs) is read once, not once per character.

    >>> has_email("x" * 100_000 + " write to ana@state.gov"), has_email("@media a@b"), has_email("")
    (True, False, False)
    """
    at = text.find("@")
    while at != -1:
        if EMAIL_RE.search(text, max(0, at - _LOCAL_MOST), at + _DOMAIN_MOST + 1):
            return True
        at = text.find("@", at + 1)
    return False


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


# Elements that load what their URL attributes name (a link, <a href>, only navigates).
_LOADING_ELEMENTS = frozenset({
    "img", "script", "link", "iframe", "frame", "source", "embed", "object", "video", "audio",
    "track", "input", "image", "use", "feimage", "portal", "applet", "base",
})
_LOADING_ATTRIBUTES = frozenset({
    "src", "href", "xlink:href", "srcset", "data", "poster", "background", "action",
    "formaction", "codebase", "archive",
})
_CSS_URL_RE = re.compile(r"""url\(\s*["']?(?!data:|#)|@import""", re.IGNORECASE)
_OUTSIDE_RE = re.compile(r"^\s*(?!data:|#|mailto:)[a-z][a-z0-9+.\-]*:|^\s*//", re.IGNORECASE)


class _PageChecker(HTMLParser):
    """Reads a page's tags and attributes (never its text) for anything it would load."""

    def __init__(self, allow_links: bool):
        super().__init__(convert_charrefs=True)
        self.allow_links = allow_links
        self.problems: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        shown = f"<{tag} " + " ".join(f'{k}="{v}"' for k, v in attrs if v is not None)
        shown = shown.strip()[:80]
        if tag == "script":
            self.problems.append(f"the page holds a script: {shown}")
        self._in_style = tag == "style"
        if tag == "meta" and any(k == "http-equiv" and (v or "").lower() == "refresh"
                                 for k, v in attrs):
            self.problems.append(f"the page redirects: {shown}")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"the page holds an event handler: {shown}")
            elif name == "style" and _CSS_URL_RE.search(value):
                self.problems.append(f"a style attribute loads a resource: {shown}")
            elif name in _LOADING_ATTRIBUTES and tag in _LOADING_ELEMENTS and value and \
                    not value.strip().lower().startswith(("data:", "#")):
                self.problems.append(f"the page loads a resource: {shown}")
            elif not self.allow_links and name in _LOADING_ATTRIBUTES and \
                    _OUTSIDE_RE.match(value):
                self.problems.append(f"the page links outside itself: {shown}")

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style and _CSS_URL_RE.search(data):
            self.problems.append("the stylesheet loads a resource through url() or @import")


def check_html(html: str, *, allow_links: bool = True) -> None:
    """Raise when a page would show an email address or load anything from outside itself.

    Links (``<a href>``) to other reports are allowed; nothing may be *loaded* from another
    file or the network (images, scripts, stylesheets, CSS ``url()``). The page is parsed:
    its tags, attributes and stylesheet are checked, its text is not (a label that reads
    ``url(x)`` or ``<img src=x>`` is escaped text, shown as such).

    >>> check_html('<p>ok: url(x) &lt;img src="x"&gt;</p><a href="C1/2026-06-30.html">C1</a>')
    >>> check_html('<img src="https://example.org/x.png">')
    Traceback (most recent call last):
    ...
    plcqi.publish.safety.UnsafeReport: the page loads a resource: <img src="https://example.org/x.png"
    """
    if has_email(html):
        raise UnsafeReport("the page contains an email address")
    checker = _PageChecker(allow_links)
    checker.feed(html)
    checker.close()
    if checker.problems:
        raise UnsafeReport(checker.problems[0])


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# The elements a chart may hold: shapes, text and their grouping. Everything else (script,
# foreignObject, a, use, image, style, animate, set, iframe, ...) is refused, so is any
# element of another namespace.
SVG_ELEMENTS = frozenset({
    "svg", "g", "path", "line", "rect", "circle", "ellipse", "polyline", "polygon", "text",
    "tspan", "title", "desc", "defs", "clipPath", "linearGradient", "radialGradient", "stop",
})
# Attributes that hold a URL or a url() reference: only a fragment of this document ("#id",
# "url(#id)") may stand there.
_URL_ATTRIBUTES = frozenset({
    "href", "src", "clip-path", "mask", "filter", "fill", "stroke", "marker-start",
    "marker-mid", "marker-end", "cursor", "style",
})
_URL_RE = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^\s*[a-z][a-z0-9+.\-]*\s*:", re.IGNORECASE)
_INVISIBLE_RE = re.compile(r"[\x00-\x20\x7f]")


def _svg_problem(name: str, attrs: dict[str, str]) -> str | None:
    """Why an element is active content, else None (``name`` and attribute names as expat
    reports them with namespaces: ``"<uri> <local>"``)."""
    uri, _, local = name.rpartition(" ")
    if uri != SVG_NS or local not in SVG_ELEMENTS:
        return f"element <{local}>" + (f" of namespace {uri}" if uri != SVG_NS else "")
    for attr, value in attrs.items():
        a_uri, _, a_local = attr.rpartition(" ")
        # an HTML parser lowercases the attribute names of inline SVG: HREF is href there
        a_local = a_local.lower()
        if a_uri not in ("", XLINK_NS, XML_NS):
            return f"attribute {a_local} of namespace {a_uri} on <{local}>"
        if a_local.startswith("on"):
            return f"event handler {a_local} on <{local}>"
        if a_local in _URL_ATTRIBUTES or a_uri == XLINK_NS:
            # the other attributes are inert text (aria-label holds the labels themselves)
            compact = _INVISIBLE_RE.sub("", value).lower()
            if "javascript:" in compact or "vbscript:" in compact:
                return f"a script URL in {a_local} on <{local}>"
            if a_local in ("href", "src") and not value.strip().startswith("#"):
                return f"a link outside the chart in {a_local} on <{local}>"
            if _URL_RE.search(value) or (a_local == "style" and "@import" in compact):
                return f"an external url() in {a_local} on <{local}>"
            if a_local not in ("href", "src", "style") and _SCHEME_RE.match(value):
                return f"a URL in {a_local} on <{local}>"
    return None


def check_svg(svg: str) -> str:
    """Return ``svg`` when it is inert, else raise.

    The SVG is parsed as XML and its elements and attributes are checked (never its text,
    which is the chart's labels, whatever they say): only shapes, text and groups of the SVG
    namespace, no event-handler attribute, no script or external URL in an attribute, no
    link but to a fragment of itself; no DOCTYPE, entity, processing instruction, comment or
    CDATA section (nothing an HTML parser could read otherwise than XML does).

    >>> check_svg('<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;script&gt; onload= '
    ...           'javascript:</text></svg>')[:4]
    '<svg'
    >>> check_svg('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    Traceback (most recent call last):
    ...
    plcqi.publish.safety.UnsafeReport: a chart's SVG holds active content: element <script>
    """
    problems: list[str] = []
    parser = expat.ParserCreate(namespace_separator=" ")

    def start(name, attrs):
        if not problems:
            problem = _svg_problem(name, attrs)
            if problem:
                problems.append(problem)

    def refuse(what):
        def handler(*_):
            problems.append(what)
        return handler

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse("a DOCTYPE")
    parser.EntityDeclHandler = refuse("an entity declaration")
    parser.ProcessingInstructionHandler = refuse("a processing instruction")
    parser.CommentHandler = refuse("a comment")
    parser.StartCdataSectionHandler = refuse("a CDATA section")
    parser.ExternalEntityRefHandler = refuse("an external entity")
    try:
        parser.Parse(svg, True)
    except expat.ExpatError as e:
        raise UnsafeReport(f"a chart's SVG is not well-formed XML: {expat.errors.messages[e.code]}"
                           ) from None
    if not svg.lstrip().startswith("<svg"):
        problems.insert(0, "it does not start with <svg")
    if problems:
        raise UnsafeReport(f"a chart's SVG holds active content: {problems[0]}")
    return svg
