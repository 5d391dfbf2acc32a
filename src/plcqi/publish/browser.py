"""Open a report in headless Chromium over the DevTools protocol and report what happened:
console errors, uncaught exceptions, every request the page made, how much it shows, and a
screenshot. The browser checks of the tests use it; so can an operator."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from plcqi.publish.pdf import FLAGS, find_chromium

_WS_RE = re.compile(r"DevTools listening on (ws://\S+)")


@dataclass
class PageCheck:
    url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    text_length: int = 0
    svg_count: int = 0
    height: int = 0
    screenshot: Path | None = None
    screenshot_bytes: int = 0

    @property
    def external_requests(self) -> list[str]:
        """Requests to anything but the file itself or a data: URI."""
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]


class _Cdp:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 60) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        while True:
            e = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if e.get("method") == method:
                return e
            self.events.append(e)


def check_page(html: Path, screenshot: Path | None = None, *, width: int = 1280,
               height: int = 2000, timeout: float = 60,
               scroll_to: str | None = None) -> PageCheck:
    """Load ``html`` from disk in a fresh headless Chromium and report on it; the screenshot
    shows the top of the page, or the element matching the CSS selector ``scroll_to``."""
    from websockets.sync.client import connect

    browser = find_chromium()
    if browser is None:
        raise RuntimeError("no Chromium installed (scripts/setup installs it)")
    url = Path(html).resolve().as_uri()
    result = PageCheck(url=url)
    with tempfile.TemporaryDirectory(prefix="plcqi-chromium-") as profile:
        proc = subprocess.Popen(
            [browser, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        try:
            ws_url = None
            deadline = time.monotonic() + timeout
            while ws_url is None and time.monotonic() < deadline:
                line = proc.stderr.readline()
                if not line and proc.poll() is not None:
                    break
                m = _WS_RE.search(line)
                ws_url = m.group(1) if m else None
            if ws_url is None:
                raise RuntimeError("chromium did not start its DevTools endpoint")
            with connect(ws_url, max_size=None, open_timeout=timeout) as ws:
                cdp = _Cdp(ws)
                target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
                session = cdp.send("Target.attachToTarget",
                                   {"targetId": target, "flatten": True})["sessionId"]
                for domain in ("Page", "Runtime", "Log", "Network"):
                    cdp.send(f"{domain}.enable", session=session)
                cdp.send("Emulation.setDeviceMetricsOverride",
                         {"width": width, "height": height, "deviceScaleFactor": 1,
                          "mobile": False}, session=session)
                cdp.send("Page.navigate", {"url": url}, session=session)
                cdp.wait_for("Page.loadEventFired", timeout)
                probe = cdp.send("Runtime.evaluate", {
                    "expression": "JSON.stringify([document.body.innerText.length, "
                    "document.querySelectorAll('svg').length, "
                    "document.documentElement.scrollHeight])",
                    "returnByValue": True}, session=session)
                result.text_length, result.svg_count, result.height = json.loads(
                    probe["result"]["value"])
                if scroll_to:
                    cdp.send("Runtime.evaluate", {
                        "expression": f"document.querySelector({json.dumps(scroll_to)})"
                        ".scrollIntoView()"}, session=session)
                if screenshot is not None:
                    shot = cdp.send("Page.captureScreenshot", {"format": "png"},
                                    session=session)
                    data = base64.b64decode(shot["data"])
                    screenshot.parent.mkdir(parents=True, exist_ok=True)
                    screenshot.write_bytes(data)
                    result.screenshot, result.screenshot_bytes = screenshot, len(data)
                # Let late events (console, network) arrive, then read them all.
                cdp.send("Runtime.evaluate", {"expression": "1"}, session=session)
                for e in cdp.events:
                    p = e.get("params", {})
                    method = e.get("method")
                    if method == "Network.requestWillBeSent":
                        result.requests.append(p["request"]["url"])
                    elif method == "Runtime.exceptionThrown":
                        result.console_errors.append(
                            p["exceptionDetails"].get("text", "exception"))
                    elif method == "Runtime.consoleAPICalled" and p.get("type") in (
                            "error", "assert"):
                        result.console_errors.append(
                            " ".join(str(a.get("value", "")) for a in p.get("args", [])))
                    elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
                        result.console_errors.append(p["entry"].get("text", ""))
                with contextlib.suppress(Exception):  # closing is best effort
                    cdp.send("Browser.close", timeout=5)
        finally:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return result
