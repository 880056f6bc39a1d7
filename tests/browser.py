"""Open a local HTML file in headless Debian chromium and record what the page does.

Used through the ``open_page`` fixture of tests/conftest.py::

    def test_graph_page(open_page, tmp_path):
        opened = open_page(tmp_path / "graph.html")   # a Path, a str path or a file:// URL
        assert opened.requests == []                  # nothing tried the network
        assert not opened.problems(), opened.problems()  # no console error, page error, dialog
        opened.page.fill("#search", "Омаров")          # opened.page is a playwright Page
        opened.screenshot("graph-search")             # -> tests/artifacts/graph-search.png

What an ``OpenedPage`` holds (lists that keep filling while the test drives the page):

- ``page``: the playwright ``Page`` (sync API), in a fresh context of its own;
- ``requests``: the URL of every request that is not ``file:``, ``data:``, ``blob:``
  or ``about:`` (web sockets included): each one is aborted, never served;
- ``console_errors``: the text of each console message of type error (an aborted
  request adds chromium's "Failed to load resource: ..." here too);
- ``page_errors``: each uncaught exception or unhandled rejection, "Name: message";
- ``dialogs``: each alert/confirm/prompt/beforeunload, "type: message"; each is dismissed.

The browser is Debian's chromium (``/usr/bin/chromium``, or the path in $KG_CHROMIUM),
driven by playwright through ``executable_path``: playwright never downloads a browser
here. It starts once per test session; each page gets a new context (no shared
cookies or storage), closed after the test. When playwright or chromium is missing, or
chromium does not start, the tests that use it are skipped with the reason
(``make test`` installs chromium through .ci/ensure-chromium first); with
KG_REQUIRE_BROWSER=1 they fail instead.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
LAUNCH_ARGS = [
    "--no-sandbox",  # root in CI, and no chromium-sandbox package
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-sync",
    "--disable-breakpad",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-pings",
    "--disable-quic",
    "--metrics-recording-only",
    "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater,"
    "InterestFeedContentSuggestions,NetworkTimeServiceQuerying,SafeBrowsing",
    # Belt and braces: whatever the routing below might miss resolves nowhere.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


class BrowserUnavailable(Exception):
    """Playwright or chromium is missing, or chromium did not start; str() says which."""


def chromium_path() -> str:
    """The chromium to drive: $KG_CHROMIUM, else Debian's /usr/bin/chromium."""
    return os.environ.get("KG_CHROMIUM") or DEFAULT_CHROMIUM


def is_local(url: str) -> bool:
    """Whether a request URL stays on this machine (file:, data:, blob:, about:).

    >>> [is_local(u) for u in ("file:///tmp/a.html", "data:,x", "https://example.org/")]
    [True, True, False]
    """
    return url.startswith(LOCAL_SCHEMES)


def file_url(target: str | os.PathLike[str]) -> str:
    """The file:// URL of a local HTML file (a path, or already a file:// URL).

    >>> file_url("file:///tmp/graph.html")
    'file:///tmp/graph.html'
    >>> file_url("https://example.org/")
    Traceback (most recent call last):
    ValueError: not a local file: https://example.org/
    """
    text = os.fspath(target)
    if text.startswith("file:"):
        return text
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+:", text):
        raise ValueError(f"not a local file: {text}")
    path = Path(text).resolve()
    if not path.is_file():
        raise FileNotFoundError(path)
    return path.as_uri()


def artifact_path(name: str) -> Path:
    """Where ``screenshot(name)`` writes: tests/artifacts/NAME.png, NAME made file-safe.

    >>> artifact_path("graph page/ru").name
    'graph_page_ru.png'
    """
    stem = re.sub(r"[^\w.-]+", "_", name.removesuffix(".png")).strip("._") or "page"
    return ARTIFACTS / f"{stem}.png"


@dataclass
class OpenedPage:
    """A page opened by ``Browser.open``, with what it did (see the module docstring)."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def screenshot(self, name: str, *, full_page: bool = False) -> Path:
        """Save a PNG of the page to tests/artifacts/NAME.png (for a person) and return its path."""
        path = artifact_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def settle(self, ms: int = 200) -> None:
        """Let the page run ``ms`` milliseconds more (timers, late requests), recording as it goes."""
        self.page.wait_for_timeout(ms)

    def problems(self) -> dict[str, list[str]]:
        """The non-empty ones of requests, console_errors, page_errors and dialogs.

        >>> OpenedPage(page=None, url="file:///x.html", dialogs=["alert: 1"]).problems()
        {'dialogs': ['alert: 1']}
        """
        found = {"requests": self.requests, "console_errors": self.console_errors,
                 "page_errors": self.page_errors, "dialogs": self.dialogs}
        return {key: list(value) for key, value in found.items() if value}

    def close(self) -> None:
        self.page.context.close()


class Browser:
    """One headless Debian chromium driven by playwright; ``open`` a page in a new context."""

    def __init__(self, playwright, browser, executable: str):
        self._playwright = playwright
        self.browser = browser
        self.executable = executable

    @classmethod
    def launch(cls, executable: str | None = None) -> Browser:
        """Start chromium, or raise BrowserUnavailable saying why it cannot."""
        executable = executable or chromium_path()
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise BrowserUnavailable(
                "playwright is not installed (it is in the test extra: pip install -e '.[test]')"
            ) from None
        if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
            raise BrowserUnavailable(
                f"chromium is not installed at {executable} (make test installs Debian's"
                " chromium through .ci/ensure-chromium; or set KG_CHROMIUM to its path)"
            )
        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=LAUNCH_ARGS, timeout=60_000
            )
        except Exception as error:  # playwright.Error, a missing library, a time-out
            playwright.stop()
            first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            raise BrowserUnavailable(f"chromium at {executable} did not start: {first}") from error
        return cls(playwright, browser, executable)

    def open(
        self,
        target: str | os.PathLike[str],
        *,
        viewport: tuple[int, int] = (1280, 800),
        wait_until: str = "load",
        settle_ms: int = 100,
        timeout_ms: int = 15_000,
    ) -> OpenedPage:
        """Open a local HTML file (path or file:// URL) in a fresh context and record it.

        Waits for ``wait_until`` ("load", "domcontentloaded" or "networkidle"), then
        ``settle_ms`` more milliseconds so that late requests and errors are recorded.
        """
        url = file_url(target)
        context = self.browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            locale="ru-RU",
            timezone_id="Asia/Almaty",
            service_workers="block",
            accept_downloads=False,
        )
        context.set_default_timeout(timeout_ms)
        page = context.new_page()
        opened = OpenedPage(page=page, url=url)

        def on_request(request) -> None:
            if not is_local(request.url):
                opened.requests.append(request.url)

        def route(route) -> None:
            if is_local(route.request.url):
                route.continue_()
            else:
                route.abort("blockedbyclient")

        def route_socket(socket) -> None:
            opened.requests.append(socket.url)
            socket.close()

        def on_dialog(dialog) -> None:
            opened.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_console(message) -> None:
            if message.type == "error":
                opened.console_errors.append(message.text)

        def on_page_error(error) -> None:
            opened.page_errors.append(f"{getattr(error, 'name', '') or 'Error'}: {error.message}")

        context.on("request", on_request)
        context.route("**/*", route)
        context.route_web_socket(re.compile(".*"), route_socket)
        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        try:
            page.goto(url, wait_until=wait_until)
            if settle_ms:
                page.wait_for_timeout(settle_ms)
        except Exception:
            context.close()
            raise
        return opened

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            self._playwright.stop()
