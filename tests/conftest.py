"""Shared fixtures: the sample corpus and the gold files copied from ../shared/corpus/dev."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus"
GOLD = ROOT / "tests" / "gold"


def gold(name: str) -> dict:
    return json.loads((GOLD / f"{name}.gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def nlp():
    from kg.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Debian chromium for the whole session (tests/browser.py); skips when missing."""
    import os

    from browser import Browser, BrowserUnavailable

    try:
        browser = Browser.launch()
    except BrowserUnavailable as error:
        if os.environ.get("KG_REQUIRE_BROWSER"):
            pytest.fail(str(error), pytrace=False)
        pytest.skip(str(error))
    yield browser
    browser.close()


@pytest.fixture
def open_page(chromium_browser):
    """open_page(path_or_file_url, **options) -> browser.OpenedPage; its context closes after the test."""
    opened = []

    def open_(target, **options):
        page = chromium_browser.open(target, **options)
        opened.append(page)
        return page

    yield open_
    for page in opened:
        page.close()
