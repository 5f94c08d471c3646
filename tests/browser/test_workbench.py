"""The workbench in a real browser: upload a photo, see the verdict and where a finding is, correct the text
and check again, find it in the history, compare, switch to Dutch, print. Saves the README screenshots."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from checker.config import ROOT
from checker.web.extensions import SERVICES_KEY
from tests.render import render_label, to_bytes
from tests.sample_labels import EN_FAIL, NL_PASS, SCRIPT_LABEL

pytestmark = [pytest.mark.browser, pytest.mark.tesseract]

# tests/artifacts/ (not versioned) unless asked: CHECKER_SCREENSHOTS=docs/screenshots refreshes the README's
SCREENSHOTS = Path(os.environ.get("CHECKER_SCREENSHOTS", ROOT / "tests" / "artifacts" / "screenshots"))
VIEWPORT = {"width": 1280, "height": 900}
REPORT_URL = re.compile(r".*/checks/[\w-]{16,}$")


def screenshot(tab: object, name: str, **options: object) -> None:
    """Save <name>.png in SCREENSHOTS (the README shows docs/screenshots/report.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), **options)


@pytest.fixture(scope="module")
def photo() -> bytes:
    # a label with titanium dioxide (banned in the EU): one error finding with a place on the photo
    return to_bytes(render_label(EN_FAIL), "JPEG", quality=90)


@pytest.fixture(scope="module")
def report_url(browser: object, live_app: object, photo: bytes) -> str:
    """Upload the photo through the page (the script posts it and follows to the report)."""
    context = browser.new_context(base_url=live_app.url, locale="en-GB", viewport=VIEWPORT)
    context.set_default_timeout(60_000)
    tab = context.new_page()
    tab.goto("/")
    tab.set_input_files("#file", files=[{"name": "calm-gut.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    screenshot(tab, "upload")
    tab.click("#upload-form button[type=submit]")
    tab.wait_for_url(REPORT_URL)
    url = tab.url
    context.close()
    return url


def test_upload_shows_progress_then_the_verdict_and_where_the_problem_is(page: object, photo: bytes) -> None:
    page.goto("/")
    page.set_input_files("#file", files=[{"name": "calm-gut.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    page.click("#upload-form button[type=submit]")
    assert "Reading the label" in page.inner_text("#upload-status")  # shown while the check runs
    page.wait_for_url(REPORT_URL)
    assert page.inner_text("h1#verdict") == "Fail"
    finding = page.locator(".finding.sev-error.locatable").first
    fid = finding.get_attribute("data-finding")
    box = page.locator(f'.box-finding[data-finding="{fid}"]').first
    assert "is-highlighted" not in (box.get_attribute("class") or "")
    finding.hover()
    assert "is-highlighted" in box.get_attribute("class")
    mark = page.locator(f'mark.evidence-mark[data-findings~="{fid}"]').first
    assert "titanium dioxide" in mark.inner_text()
    assert "is-highlighted" in mark.get_attribute("class")
    page.mouse.move(0, 0)
    finding.focus()  # the keyboard gets the same
    assert "is-highlighted" in box.get_attribute("class")
    screenshot(page, "report")


def test_corrected_text_is_checked_again_as_a_revision(page: object, report_url: str) -> None:
    page.goto(report_url)
    text = page.input_value("#edit-text")
    assert "titanium dioxide" in text
    page.fill("#edit-text", text.replace("titanium dioxide", "calcium carbonate"))
    page.click("form.recheck button[type=submit]")
    page.wait_for_url(lambda url: url != report_url and REPORT_URL.match(url) is not None)
    assert page.inner_text("h1#verdict") != "Fail"
    assert "Revision 1" in page.inner_text("#revision")
    page.click("#revision a")  # back to the original, which is kept as it was
    page.wait_for_url(report_url)
    assert page.inner_text("h1#verdict") == "Fail"


def test_history_finds_and_compares_checks(page: object, report_url: str, live_app: object) -> None:
    from checker.pipeline import check_text

    storage = live_app.app.extensions[SERVICES_KEY].storage
    other = check_text(NL_PASS, "butyra.txt")
    other["text"] = NL_PASS
    other_id = storage.save_check(other)
    page.goto("/history?q=forte")
    assert page.locator("table.history input[name=id]").count() == 1  # the search finds only that one
    page.goto("/history")
    for check_id in (report_url.rsplit("/", 1)[1], other_id):
        page.check(f'table.history input[name=id][value="{check_id}"]')
    page.click("#compare-form button[type=submit]:not([form])")
    page.wait_for_url(re.compile(r".*/compare\?id="))
    assert page.locator("table.compare thead th").count() == 2
    table = page.inner_text("table.compare")
    assert "Butyric acid per day" in table and "Sodium per day" in table and "Fail" in table
    screenshot(page, "compare", full_page=True)


def test_delete_from_the_history_asks_first(page: object, live_app: object) -> None:
    from checker.pipeline import check_text

    storage = live_app.app.extensions[SERVICES_KEY].storage
    report = check_text(NL_PASS.replace("Butyra Forte", "Delete Me Forte"), "delete-me.txt")
    check_id = storage.save_check(report)
    page.goto("/history?q=delete-me")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button.danger")
    assert storage.get_check(check_id) is not None  # "Cancel" keeps it
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button.danger")
    page.wait_for_url(re.compile(r".*/history\?deleted=1"))
    assert storage.get_check(check_id) is None
    assert "The check was deleted." in page.inner_text("main")


def test_the_language_switch_turns_the_page_dutch(page: object, report_url: str) -> None:
    page.goto(report_url)
    page.click(".lang-switch a[hreflang=nl]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "nl"
    assert page.inner_text("h1#verdict") == "Afgekeurd"
    assert "Wat het betekent" in page.inner_text(".findings")
    page.goto("/history")  # the choice is remembered
    assert page.inner_text("h1") == "Geschiedenis"


def test_the_printed_report_is_clean(page: object, report_url: str) -> None:
    page.set_viewport_size({"width": 800, "height": 1130})  # about an A4 page
    page.goto(report_url)
    page.emulate_media(media="print")
    assert not page.is_visible("header.site nav")
    assert not page.is_visible("form.recheck")
    assert page.is_visible("h1#verdict") and page.is_visible(".findings")
    screenshot(page, "report-print", full_page=True)


def test_label_text_with_script_is_shown_never_run(page: object) -> None:
    page.on("dialog", lambda dialog: pytest.fail(f"a label script ran: {dialog.message}"))
    page.goto("/")
    page.fill("#label-text", SCRIPT_LABEL)
    page.click("form.text-form button[type=submit]")
    page.wait_for_url(REPORT_URL)
    assert "<script>alert('x')</script>" in page.inner_text("#label-text")
    assert page.locator("main script, main b[onmouseover]").count() == 0
