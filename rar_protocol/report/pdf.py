"""Print HTML reports to PDF with one headless Chromium driven over DevTools, or with WeasyPrint.

The browser is one already on the machine (Chrome, Edge, Chromium; never downloaded); where none
is found, WeasyPrint, installed with pip, is the fallback. Every failure is a PdfError whose
message is one line meant for the user; a PDF is written whole or not at all.
"""

from __future__ import annotations

import base64
import contextlib
import inspect
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from types import TracebackType
from typing import Any

from rar_protocol.errors import PdfError
from rar_protocol.files import write_atomically

__all__ = ["ChromiumPdfPrinter", "RunningHeader", "find_browser", "make_pdf", "print_pdf", "running_header", "weasyprint_pdf"]

BROWSER_ENVIRONMENT_VARIABLE = "RAR_BROWSER"

# Command names tried on PATH, most specific first.
BROWSER_COMMANDS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "microsoft-edge",
    "msedge",
)

PDF_ENGINES = ("auto", "chromium", "weasyprint", "none")

NO_BROWSER_MESSAGE = "No Chromium-family browser found (set RAR_BROWSER or --browser); install chromium or use --pdf-engine weasyprint"

# Paper sizes in inches, the unit Page.printToPDF takes.
PAPER_SIZES = {"letter": (8.5, 11.0), "a4": (8.27, 11.69)}
MARGIN_INCHES = 0.5

BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    # Reports are offline: names never resolve, so nothing leaves the machine even if a
    # request slips past the Fetch interception below (e.g. a WebSocket opened by a page).
    "--host-resolver-rules=MAP * ~NOTFOUND",
    # Port 0 lets the OS choose a free port; Chromium writes it to DevToolsActivePort.
    "--remote-debugging-port=0",
)

# Room at the top and bottom of every page for the running header and footer (inches).
HEADER_MARGIN_INCHES = 0.7
FOOTER_MARGIN_INCHES = 0.6
# Chromium draws its header and footer outside the page's styles: every property is set here.
_TEMPLATE_STYLE = (
    "font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif;font-size:7.5pt;color:#555;width:100%;"
    "box-sizing:border-box;padding:0 0.5in;display:flex;justify-content:space-between;gap:0.3in;-webkit-print-color-adjust:exact;"
)
FOOTER_TEMPLATE = f'<div style="{_TEMPLATE_STYLE}"><span></span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'

# Requests the page makes to these are failed at once instead of waiting on a network.
BLOCKED_URL_PATTERNS = [{"urlPattern": "http://*"}, {"urlPattern": "https://*"}]


@dataclass(frozen=True)
class RunningHeader:
    """What every printed page of a report says it is: district, building, report and run date."""

    district: str = ""
    building: str = ""
    title: str = ""
    run_date: str = ""

    @property
    def subject(self) -> str:
        """Whom the report is about: the district, and the building (code and name) when there is one."""
        return " · ".join(part for part in (self.district, self.building) if part)

    @property
    def report(self) -> str:
        """Which report and when: the title and the run date."""
        return " · ".join(part for part in (self.title, f"prepared {self.run_date}" if self.run_date else "") if part)


# The report's header (ReportContext.header) carries the running header's words as data attributes.
_REPORT_TAG = re.compile(r"<div\b[^>]*\bclass=[\"']rar-report[\"'][^>]*>", re.IGNORECASE)


def running_header(page: str) -> RunningHeader | None:
    """The running header a report's HTML declares (None for a page that declares none)."""
    tag = _REPORT_TAG.search(page)
    if tag is None:
        return None
    found: dict[str, str] = {}

    class Reader(HTMLParser):
        def handle_starttag(self, name: str, attributes: list[tuple[str, str | None]]) -> None:
            found.update({key: value or "" for key, value in attributes})

    Reader().feed(tag.group(0))
    header = RunningHeader(district=found.get("data-district", ""), building=found.get("data-building", ""), title=found.get("data-title", ""), run_date=found.get("data-run-date", ""))
    return header if header.subject or header.report else None


def header_template(header: RunningHeader | None) -> str:
    """Chromium's header template: whom the report is about on the left, which report and when on the right."""
    if header is None:
        return "<div></div>"
    left, right = escape(header.subject), escape(header.report)
    # Long names wrap to a second line rather than lose the building's name.
    return f'<div style="{_TEMPLATE_STYLE}"><span style="flex:1 1 0">{left}</span><span style="flex:1 1 0;text-align:right">{right}</span></div>'


def footer_template(header: RunningHeader | None) -> str:
    """Chromium's footer template: the building again (pages get separated) and page n of N."""
    if header is None:
        return FOOTER_TEMPLATE
    subject = escape(header.building or header.district)
    return FOOTER_TEMPLATE.replace("<span></span>", f"<span>{subject}</span>", 1)


def _css_string(text: str) -> str:
    """Text as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def weasyprint_page_css(header: RunningHeader | None, paper: str = "letter") -> str:
    """The page setup WeasyPrint prints with: the paper, and the running header and footer in @page margin boxes."""
    boxes = {"bottom-right": "'Page ' counter(page) ' of ' counter(pages)"}
    if header is not None:
        boxes |= {"top-left": _css_string(header.subject), "top-right": _css_string(header.report), "bottom-left": _css_string(header.building or header.district)}
    style = "font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; font-size: 7.5pt; color: #555;"
    margin_boxes = " ".join(f"@{box} {{ content: {content}; {style} }}" for box, content in boxes.items())
    return f"@page {{ size: {paper}; margin: {HEADER_MARGIN_INCHES}in {MARGIN_INCHES}in {FOOTER_MARGIN_INCHES}in {MARGIN_INCHES}in; {margin_boxes} }}"


class ChromiumPdfPrinter:
    """One headless Chromium process that prints many HTML files to PDF over DevTools."""

    def __init__(
        self,
        browser: Path | str | None = None,
        *,
        timeout: float = 60.0,
        startup_timeout: float = 30.0,
        paper: str = "letter",
        page_numbers: bool = True,
    ) -> None:
        """Configure the printer; the browser starts on first use or on entering the context."""
        if paper.lower() not in PAPER_SIZES:
            raise PdfError(f"Unknown paper size {paper!r}: use one of {', '.join(PAPER_SIZES)}")
        self.browser = _require_browser(browser)
        self.timeout = timeout
        self.startup_timeout = startup_timeout
        self.paper = paper.lower()
        self.page_numbers = page_numbers
        self._process: subprocess.Popen[bytes] | None = None
        self._workspace: Path | None = None
        self._connection: Any = None
        self._next_id = 0
        self._events: deque[dict[str, Any]] = deque()
        self._dead_reason: str | None = None
        self._finalizer: weakref.finalize | None = None
        self._exit_stack = contextlib.ExitStack()

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> ChromiumPdfPrinter:
        """Start the browser and return the printer."""
        self.start()
        return self

    def __exit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the browser and remove its temporary profile."""
        self.close()

    def start(self) -> None:
        """Launch the browser and connect to its DevTools endpoint, if not already running."""
        if self._connection is not None:
            return
        if self._dead_reason is not None:
            raise PdfError(self._dead_reason)
        self._workspace = Path(tempfile.mkdtemp(prefix="rar-chromium-"))
        self._process = self._launch(self._workspace)
        # Kill the browser even if the caller forgets close() (or the interpreter exits).
        self._finalizer = weakref.finalize(self, _shutdown, self._process, self._workspace)
        try:
            endpoint = self._wait_for_endpoint()
            self._connection = _connect(endpoint, self.startup_timeout, self._exit_stack)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the browser, kill it if it does not exit promptly, and remove the profile."""
        if self._connection is not None:
            # A polite Browser.close lets Chromium flush and exit its helper processes.
            with contextlib.suppress(Exception):
                farewell = {"id": self._take_id(), "method": "Browser.close"}
                self._connection.send(json.dumps(farewell))
            with contextlib.suppress(Exception):
                self._exit_stack.close()
            self._connection = None
        if self._finalizer is not None:
            self._finalizer()
            self._finalizer = None
        self._process = None
        self._workspace = None

    @property
    def running(self) -> bool:
        """Whether the browser process is alive and connected."""
        return self._connection is not None and self._process is not None and self._process.poll() is None

    # -- printing --------------------------------------------------------------------------

    def print(self, html: Path, pdf: Path) -> Path:
        """Print one HTML file to a PDF file (written atomically) and return the PDF path."""
        html = Path(html).resolve()
        if not html.is_file():
            raise PdfError(f"HTML file not found: {html}")
        self.start()
        blank = {"url": "about:blank"}
        target_id = self._command("Target.createTarget", blank, None, html)["targetId"]
        try:
            session = self._command("Target.attachToTarget", {"targetId": target_id, "flatten": True}, None, html)["sessionId"]
            self._prepare_page(session)
            self._load(session, html)
            header = running_header(html.read_text(encoding="utf-8", errors="replace"))
            data = self._command("Page.printToPDF", self._print_options(header), session, html)["data"]
        finally:
            self._close_target(target_id)
            # Events left from this page would otherwise pile up over a long batch.
            self._events.clear()
        return write_atomically(Path(pdf), base64.b64decode(data))

    def _prepare_page(self, session: str) -> None:
        """Enable the page events we wait on and make the page fail any network request."""
        self._command("Page.enable", {}, session)
        self._command("Page.setLifecycleEventsEnabled", {"enabled": True}, session)
        self._command("Fetch.enable", {"patterns": BLOCKED_URL_PATTERNS}, session)

    def _load(self, session: str, html: Path) -> None:
        """Navigate to the file and wait until its load event and web fonts are done."""
        navigation = self._command("Page.navigate", {"url": html.as_uri()}, session, html)
        if navigation.get("errorText"):
            raise PdfError(f"Chromium could not open {html}: {navigation['errorText']}")
        self._wait_for_event(session, html, _load_event_of(navigation.get("loaderId")))
        self._command(
            "Runtime.evaluate",
            {"expression": "document.fonts.ready.then(() => true)", "awaitPromise": True},
            session,
            html,
        )

    def _print_options(self, header: RunningHeader | None = None) -> dict[str, Any]:
        """Return Page.printToPDF parameters for the configured paper, with the report's running header and footer."""
        width, height = PAPER_SIZES[self.paper]
        options: dict[str, Any] = {
            "printBackground": True,
            "paperWidth": width,
            "paperHeight": height,
            "marginTop": HEADER_MARGIN_INCHES if self.page_numbers else MARGIN_INCHES,
            "marginBottom": FOOTER_MARGIN_INCHES if self.page_numbers else MARGIN_INCHES,
            "marginLeft": MARGIN_INCHES,
            "marginRight": MARGIN_INCHES,
            "preferCSSPageSize": False,
            "displayHeaderFooter": self.page_numbers,
        }
        if self.page_numbers:
            options["headerTemplate"] = header_template(header)
            options["footerTemplate"] = footer_template(header)
        return options

    def _close_target(self, target_id: str) -> None:
        """Close a tab; a browser that already died has nothing left to close."""
        if not self.running:
            return
        with contextlib.suppress(PdfError):
            self._command("Target.closeTarget", {"targetId": target_id})

    # -- process ---------------------------------------------------------------------------

    def _launch(self, workspace: Path) -> subprocess.Popen[bytes]:
        """Start the browser with a fresh profile; its stderr goes to a log for error messages."""
        profile = workspace / "profile"
        profile.mkdir()
        command = [str(self.browser), *BROWSER_FLAGS, f"--user-data-dir={profile}", "about:blank"]
        # Chromium logs a lot to stderr; a file never fills up and blocks it like a pipe can.
        with open(workspace / "stderr.log", "wb") as log:
            try:
                return subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    # Its own process group, so close() can stop the renderer helpers too.
                    start_new_session=sys.platform != "win32",
                )
            except OSError as error:
                message = f"Could not start browser {self.browser}: {error.strerror}"
                raise PdfError(message) from error

    def _wait_for_endpoint(self) -> str:
        """Return the browser's DevTools WebSocket URL once DevToolsActivePort is written."""
        assert self._process is not None and self._workspace is not None
        port_file = self._workspace / "profile" / "DevToolsActivePort"
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise PdfError(f"Browser {self.browser} exited at startup (code {self._process.returncode}){self._stderr_hint()}")
            # The file may be caught half-written: wait until both lines are there.
            lines = port_file.read_text().splitlines() if port_file.exists() else []
            if len(lines) >= 2 and lines[0].strip().isdigit():
                return f"ws://127.0.0.1:{lines[0].strip()}{lines[1].strip()}"
            time.sleep(0.05)
        raise PdfError(f"Browser {self.browser} did not open DevTools within {self.startup_timeout:g} s{self._stderr_hint()}")

    def _stderr_hint(self) -> str:
        """Return ': <last meaningful stderr line>' to explain a failed start, or ''."""
        if self._workspace is None:
            return ""
        log = self._workspace / "stderr.log"
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        # D-Bus complaints are normal in containers and explain nothing.
        useful = [line.strip() for line in lines if line.strip() and "dbus" not in line.lower()]
        return f": {useful[-1][:300]}" if useful else ""

    def _mark_dead(self, html: Path | None) -> PdfError:
        """Record that the browser is gone and return the error to raise."""
        code = None
        if self._process is not None:
            # The socket can close a moment before the process is reaped; wait to get its code.
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self._process.wait(timeout=1)
        where = f" while printing {html.name}" if html is not None else ""
        status = f" (exit code {code})" if code is not None else ""
        self._dead_reason = f"Chromium stopped unexpectedly{where}{status}; start a new printer to continue"
        with contextlib.suppress(Exception):
            self._exit_stack.close()
        self._connection = None
        return PdfError(self._dead_reason)

    # -- DevTools protocol -----------------------------------------------------------------

    def _take_id(self) -> int:
        """Return a fresh message id."""
        self._next_id += 1
        return self._next_id

    def _command(
        self,
        method: str,
        params: dict[str, Any],
        session: str | None = None,
        html: Path | None = None,
    ) -> dict[str, Any]:
        """Send a DevTools command and return its result, buffering events that arrive meanwhile."""
        if self._connection is None:
            raise PdfError(self._dead_reason or "The Chromium printer is closed")
        message_id = self._take_id()
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self._send(message, html)
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline, method, html)
            if reply.get("id") == message_id:
                if "error" in reply:
                    detail = reply["error"].get("message", "unknown error")
                    raise PdfError(f"Chromium refused {method}: {detail}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def _wait_for_event(self, session: str, html: Path, matches: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Return the first event of this session that satisfies matches, within the timeout."""
        for event in list(self._events):
            if event.get("sessionId") == session and matches(event):
                self._events.remove(event)
                return event
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._receive(deadline, "page load", html)
            if "method" not in message or message.get("sessionId") != session:
                continue
            if matches(message):
                return message

    def _receive(self, deadline: float, waiting_for: str, html: Path | None) -> dict[str, Any]:
        """Read the next message, answer blocked requests, and turn every failure into PdfError."""
        from websockets.exceptions import ConnectionClosed

        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                where = f" for {html.name}" if html is not None else ""
                raise PdfError(f"Chromium timed out after {self.timeout:g} s waiting for {waiting_for}{where}")
            try:
                raw = self._connection.recv(timeout=min(remaining, 1.0))
            except TimeoutError:
                # Checking the process each second notices a dead browser before the timeout.
                if self._process is not None and self._process.poll() is not None:
                    raise self._mark_dead(html) from None
                continue
            except (ConnectionClosed, OSError) as error:
                raise self._mark_dead(html) from error
            message = json.loads(raw)
            if message.get("method") == "Fetch.requestPaused":
                self._refuse_request(message)
                continue
            self._check_crash(message, html)
            return message

    def _refuse_request(self, event: dict[str, Any]) -> None:
        """Fail a request the page tried to make: reports must not depend on the network."""
        params = {"requestId": event["params"]["requestId"], "errorReason": "BlockedByClient"}
        message = {"id": self._take_id(), "method": "Fetch.failRequest", "params": params}
        self._send({**message, "sessionId": event.get("sessionId")}, None)

    def _check_crash(self, message: dict[str, Any], html: Path | None) -> None:
        """Raise if the message says the page's renderer crashed."""
        if message.get("method") in ("Inspector.targetCrashed", "Target.targetCrashed"):
            name = html.name if html is not None else "the page"
            raise PdfError(f"Chromium's renderer crashed while printing {name}")

    def _send(self, message: dict[str, Any], html: Path | None) -> None:
        """Send one JSON message, reporting a dead browser as PdfError."""
        from websockets.exceptions import ConnectionClosed

        try:
            self._connection.send(json.dumps(message))
        except (ConnectionClosed, OSError) as error:
            raise self._mark_dead(html) from error


def _load_event_of(loader_id: str | None) -> Callable[[dict[str, Any]], bool]:
    """Match the "load" lifecycle event of one navigation.

    The blank page a new target starts with fires its own "load"; only ours counts.
    """

    def matches(event: dict[str, Any]) -> bool:
        params = event.get("params", {})
        return event.get("method") == "Page.lifecycleEvent" and params.get("name") == "load" and (loader_id is None or params.get("loaderId") == loader_id)

    return matches


def _shutdown(process: subprocess.Popen[bytes], workspace: Path) -> None:
    """Let the browser exit briefly, then kill its process group and remove the profile."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=3)
    if sys.platform != "win32":
        # The renderer and zygote helpers share the browser's process group (its own session).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    shutil.rmtree(workspace, ignore_errors=True)


def _connect(endpoint: str, timeout: float, stack: contextlib.ExitStack) -> Any:
    """Open the DevTools WebSocket; PDFs arrive as one large base64 message."""
    try:
        from websockets.sync.client import connect
    except ImportError as error:
        raise PdfError("websockets is not installed: pip install rar-protocol[pdf]") from error
    options: dict[str, Any] = {
        "max_size": None,
        "open_timeout": timeout,
        # Pings would need a background reader; DevTools is local and needs no keep-alive.
        "ping_interval": None,
        "close_timeout": 2,
        "compression": None,
    }
    if "proxy" in inspect.signature(connect).parameters:
        # websockets 15+ honours HTTP(S)_PROXY, which must not capture a loopback socket.
        options["proxy"] = None
    try:
        # Entered as a context manager, the form websockets 17+ supports without a warning.
        return stack.enter_context(connect(endpoint, **options))
    except (OSError, TimeoutError) as error:
        message = f"Could not connect to the browser's DevTools at {endpoint}: {error}"
        raise PdfError(message) from error


def find_browser(explicit: str | None = None) -> Path | None:
    """Find a Chromium-family browser: explicit, $RAR_BROWSER, then PATH and usual installs."""
    requested = explicit or os.environ.get(BROWSER_ENVIRONMENT_VARIABLE)
    if requested:
        # A browser the user named is never silently replaced by another one.
        return _resolve_executable(requested)
    for command in BROWSER_COMMANDS:
        found = shutil.which(command)
        if found:
            return Path(found)
    for candidate in _usual_install_paths():
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _resolve_executable(name_or_path: str) -> Path | None:
    """Return the executable for a path or a command name, or None if there is none."""
    candidate = Path(name_or_path).expanduser()
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which(name_or_path)
    return Path(found) if found else None


def _usual_install_paths() -> list[Path]:
    """Return the places browsers are installed when they are not on PATH."""
    if sys.platform == "darwin":
        applications = [Path("/Applications"), Path.home() / "Applications"]
        bundles = [
            "Google Chrome.app/Contents/MacOS/Google Chrome",
            "Chromium.app/Contents/MacOS/Chromium",
            "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
        ]
        return [folder / bundle for folder in applications for bundle in bundles]
    if sys.platform == "win32":
        roots = [os.environ.get(variable) for variable in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")]
        executables = [
            r"Google\Chrome\Application\chrome.exe",
            r"Microsoft\Edge\Application\msedge.exe",
            r"Chromium\Application\chrome.exe",
        ]
        return [Path(root) / executable for root in roots if root for executable in executables]
    return [
        Path("/usr/bin/chromium"),
        Path("/usr/bin/chromium-browser"),
        Path("/usr/bin/google-chrome"),
        Path("/opt/google/chrome/chrome"),
        Path("/snap/bin/chromium"),
        Path("/usr/bin/microsoft-edge"),
        Path("/opt/microsoft/msedge/msedge"),
    ]


def _require_browser(browser: Path | str | None) -> Path:
    """Return the browser to use or raise PdfError saying how to provide one."""
    found = find_browser(str(browser) if browser is not None else None)
    if found is not None:
        return found
    requested = browser or os.environ.get(BROWSER_ENVIRONMENT_VARIABLE)
    if requested:
        raise PdfError(f"Browser not found or not executable: {requested} (check --browser / RAR_BROWSER, or use --pdf-engine weasyprint)")
    raise PdfError(NO_BROWSER_MESSAGE)


def print_pdf(html: Path, pdf: Path, *, browser: Path | None = None) -> Path:
    """Print one HTML file to PDF with a short-lived Chromium."""
    with ChromiumPdfPrinter(browser) as printer:
        return printer.print(html, pdf)


def weasyprint_pdf(html: Path, pdf: Path) -> Path:
    """Render one HTML file to PDF with WeasyPrint, fetching nothing from the network."""
    try:
        import weasyprint
    except ImportError as error:
        raise PdfError("WeasyPrint is not installed: pip install rar-protocol[pdf]") from error
    except OSError as error:
        # WeasyPrint imports fine but cannot load Pango/Cairo system libraries.
        raise PdfError(f"WeasyPrint cannot load its system libraries: {error}") from error
    html = Path(html).resolve()
    if not html.is_file():
        raise PdfError(f"HTML file not found: {html}")
    # Same paper, running header and page numbers as the Chromium printer (WeasyPrint defaults to A4).
    page_setup = weasyprint.CSS(string=weasyprint_page_css(running_header(html.read_text(encoding="utf-8", errors="replace"))))
    try:
        fetcher = _offline_url_fetcher(weasyprint)
        document = weasyprint.HTML(filename=str(html), url_fetcher=fetcher)
        data = document.write_pdf(stylesheets=[page_setup])
    except Exception as error:
        raise PdfError(f"WeasyPrint failed on {html.name}: {error}") from error
    return write_atomically(Path(pdf), data)


def _offline_url_fetcher(weasyprint: Any) -> Any:
    """Return a WeasyPrint URL fetcher that only reads file: and data: URLs."""
    if hasattr(weasyprint, "URLFetcher"):
        # WeasyPrint 68+ has a fetcher class with a protocol allow-list.
        return weasyprint.URLFetcher(allowed_protocols=("file", "data"))

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
        if not url.lower().startswith(("file:", "data:")):
            raise ValueError(f"Network access is disabled for reports: {url}")
        return weasyprint.default_url_fetcher(url, *args, **kwargs)

    return fetch


def make_pdf(
    html: Path,
    pdf: Path,
    *,
    engine: str = "auto",
    browser: str | None = None,
    printer: ChromiumPdfPrinter | None = None,
) -> Path | None:
    """Make a PDF with the chosen engine (auto|chromium|weasyprint|none); None for engine none."""
    engine = engine.lower()
    if engine not in PDF_ENGINES:
        raise PdfError(f"Unknown PDF engine {engine!r}: use one of {', '.join(PDF_ENGINES)}")
    if engine == "none":
        return None
    if engine == "weasyprint":
        return weasyprint_pdf(html, pdf)
    if printer is not None:
        return printer.print(html, pdf)
    named = browser or os.environ.get(BROWSER_ENVIRONMENT_VARIABLE)
    # auto falls back only when nothing was named: a browser the user named must exist.
    if engine == "auto" and not named and find_browser() is None:
        return weasyprint_pdf(html, pdf)
    return print_pdf(html, pdf, browser=_require_browser(browser))
