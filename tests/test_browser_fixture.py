"""The browser fixture (tests/browser.py, ``open_page``) catches what a page does wrong."""
from __future__ import annotations

import pytest
from browser import Browser, BrowserUnavailable


def html(tmp_path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>{name}</title>'
                    f"</head><body>{body}</body></html>", encoding="utf-8")
    return str(path)


def test_a_clean_page_has_nothing_to_report(open_page, tmp_path):
    opened = open_page(html(tmp_path, "clean.html", "<h1>Кабыш Омаров</h1><p id=p>1941–1945</p>"))
    assert opened.url.startswith("file:///")
    assert opened.page.inner_text("h1") == "Кабыш Омаров"
    assert opened.problems() == {}
    assert (opened.requests, opened.console_errors, opened.page_errors, opened.dialogs) == ([], [], [], [])


def test_network_requests_are_recorded_and_never_served(open_page, tmp_path):
    opened = open_page(html(tmp_path, "network.html", """
        <img src="http://example.org/a.png">
        <script>
          window.result = "pending";
          fetch("https://example.org/x.js").then(
            () => { window.result = "served"; },
            (error) => { window.result = "failed: " + error.name; });
          try { new WebSocket("wss://example.org/socket"); } catch (e) {}
        </script>"""))
    opened.page.wait_for_function("window.result !== 'pending'")
    opened.settle(100)
    assert opened.page.evaluate("window.result") == "failed: TypeError"
    assert "https://example.org/x.js" in opened.requests
    assert "http://example.org/a.png" in opened.requests
    assert "wss://example.org/socket" in opened.requests
    assert not any(url.startswith("file:") for url in opened.requests)


def test_console_errors_and_uncaught_exceptions_are_recorded(open_page, tmp_path):
    opened = open_page(html(tmp_path, "errors.html", """
        <script>console.log("fine"); console.error("кабум");</script>
        <script>throw new Error("kaput");</script>
        <script>Promise.reject(new RangeError("no such date"));</script>"""))
    assert opened.console_errors == ["кабум"]
    assert "Error: kaput" in opened.page_errors
    assert any("no such date" in error for error in opened.page_errors)
    assert opened.requests == [] and opened.dialogs == []


def test_dialogs_are_recorded_and_dismissed(open_page, tmp_path):
    opened = open_page(html(tmp_path, "alert.html", """
        <script>alert(1); window.answer = confirm("удалить?");</script>"""))
    assert opened.dialogs == ["alert: 1", "confirm: удалить?"]
    assert opened.page.evaluate("window.answer") is False  # dismissed


def test_hostile_text_is_caught_when_a_page_injects_it(open_page, tmp_path):
    """The probe a page test makes: a name like <img src=x onerror=alert(1)> opens no dialog."""
    name = "<img src=x onerror=alert(1)>"
    page = """<p id=safe></p><p id=unsafe></p>
        <script>
          const name = %s;
          document.getElementById("safe").textContent = name;
          if (location.hash === "#unsafe") document.getElementById("unsafe").innerHTML = name;
        </script>""" % repr(name).replace("'", '"')
    path = html(tmp_path, "hostile.html", page)
    safe = open_page(path)
    assert safe.dialogs == [] and safe.page.inner_text("#safe") == name
    unsafe = open_page("file://" + path + "#unsafe")
    assert unsafe.dialogs == ["alert: 1"]


def test_screenshot_writes_a_png_for_a_person(open_page, tmp_path):
    opened = open_page(html(tmp_path, "shot.html", "<h1 style='font:48px sans-serif'>Қазақстан, 1941</h1>"),
                       viewport=(640, 200))
    path = opened.screenshot("browser-fixture-selftest")
    assert path.parent.name == "artifacts" and path.name == "browser-fixture-selftest.png"
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000


def test_only_local_files_open(open_page, tmp_path):
    with pytest.raises(ValueError, match="not a local file"):
        open_page("https://example.org/")
    with pytest.raises(FileNotFoundError):
        open_page(tmp_path / "missing.html")


def test_a_missing_chromium_says_so():
    with pytest.raises(BrowserUnavailable, match="chromium is not installed at /nonexistent/chromium"):
        Browser.launch("/nonexistent/chromium")
