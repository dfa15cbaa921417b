"""Streamlit's table toolbar writes "Download as CSV" in the browser without neutralising
formula-like cells; the app hides that one button on every page (``ui.widgets``), and the
app's own downloads neutralise (tests/io/test_exports.py)."""
import re

import pytest

from tests.e2e.test_pages import no_exceptions

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]


def test_table_toolbar_offers_no_unneutralised_csv(page, app_url):
    page.goto(app_url + "/daten", wait_until="networkidle")
    page.get_by_role("heading", name=re.compile("Quellenvermerke")).wait_for(timeout=30000)
    table = page.locator("[data-testid='stDataFrame']").first
    table.wait_for(timeout=30000)
    table.hover()
    search = page.locator("button[aria-label='Search']").first
    search.wait_for(state="visible", timeout=10000)          # the toolbar is there …
    csv = page.locator("button[aria-label='Download as CSV']")
    assert csv.count() >= 1                                  # … with the button in the page,
    assert not csv.first.is_visible()                        # but not shown
    no_exceptions(page)
