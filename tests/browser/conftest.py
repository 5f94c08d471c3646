"""A live app on a free loopback port (temporary SQLite) and headless Debian Chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHECKER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 60_000  # one OCR run on a shared 2-core machine
VIEWPORT = {"width": 1280, "height": 900}


class LiveServer:
    """The app served by werkzeug in a background thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from checker.web.app import create_app
    from checker.web.extensions import SERVICES_KEY

    tmp = tmp_path_factory.mktemp("browser")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'checks.sqlite3'}", "INSTANCE_DIR": tmp,
                      "SECRET_KEY": "browser-test-secret-key-not-used-anywhere-else",
                      "WORKERS": 0})  # the pages check uploads themselves; no batch worker threads
    with LiveServer(app) as server:
        yield server
    app.extensions[SERVICES_KEY].storage.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run scripts/setup.sh --dev (Debian: "
                    "apt-get install chromium), or set CHECKER_CHROMIUM, or deselect with -m 'not browser'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, live_app: LiveServer) -> Iterator[object]:
    """A fresh English browser tab (own cookies) that fails the test on any script error or dialog."""
    context = browser.new_context(base_url=live_app.url, locale="en-GB", viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.errors = errors
    yield tab
    context.close()
    assert not errors, f"script errors on the page: {errors}"

