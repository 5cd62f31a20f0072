"""The shared browser fixtures work: a rep logs in at a desk and on a phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_quiet

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_a_rep_logs_in_and_sees_the_chinese_menu(open_page, site, size):
    page = open_page("rep1", size)
    assert page.url.rstrip("/") == site.url
    assert "线索" in page.content()
    assert_quiet(page)
