"""The region_cn plugin's picker: a supervisor adds a customer at a desk and on a phone,
picking 四川省 → 成都市 → 武侯区 in three selects (each filled when the one above is
picked); the customer's page reads "四川省 / 成都市 / 武侯区", and its edit form opens with
the three chosen."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from leadloom.web.state import state
from tests.browser.conftest import SIZES, Site, assert_quiet, demo_site
from tests.plugins_configs import EXAMPLES, SHIPPED, plugin_config

pytestmark = [pytest.mark.browser, pytest.mark.slow]
#: where the screenshots go to be looked at (``LEADLOOM_SHOTS_DIR``, else the temp folder)
SHOTS = Path(os.environ.get("LEADLOOM_SHOTS_DIR") or tempfile.gettempdir()) / "plugins"


@pytest.fixture(scope="module")
def site(database_factory, tmp_path_factory) -> Iterator[Site]:
    """A small demo organisation on a config that enables the example plugins and gives
    customers a region field, served in a thread with CSRF on."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEADLOOM_PLUGINS_DIR", str(SHIPPED))
        root = tmp_path_factory.mktemp("plugins_browser")
        yield from demo_site(database_factory(), root / "archive", leads=40, seed=5,
                             config_dir=plugin_config(root, EXAMPLES))


def account_id(site: Site, name: str) -> int:
    """The id of the customer saved under ``name`` (the add form saved it)."""
    with site.app.app_context():
        st = state()
        cls = st.models.cls("account")
        return st.db.session.scalars(sa.select(cls.id).where(cls.name == name)).one()


def pick(page, level: int, name: str) -> None:
    """Choose ``name`` in the picker's select number ``level`` once it offers it."""
    select = page.locator(f".ll-cascade .ll-cascade-level[data-level='{level}']")
    select.locator("option", has_text=name).wait_for(state="attached")
    select.select_option(label=name)


@pytest.mark.parametrize("size", list(SIZES))
def test_a_region_is_picked_level_by_level(open_page, site, size):
    page = open_page("sup1", size)
    page.goto(f"{site.url}/account/add")
    page.fill("#name", f"成都武侯{size}科技有限公司")
    page.select_option("#industry", "manufacturing")
    city = page.locator(".ll-cascade-level[data-level='1']")
    assert not city.is_visible()  # nothing to pick below until a province is chosen
    first = page.locator(".ll-cascade-level[data-level='0'] option").first
    assert first.inner_text() == "— 请选择 —"
    pick(page, 0, "四川省")
    pick(page, 1, "成都市")
    pick(page, 2, "武侯区")
    assert page.input_value("input[type=hidden]#region") == "510107"
    picker = page.locator(".ll-cascade")
    box = picker.bounding_box()
    assert box is not None and box["x"] + box["width"] <= SIZES[size]["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    picker.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"region-picker-{size}.png"))
    with page.expect_navigation():
        page.click("button[type=submit], input[type=submit]")
    pk = account_id(site, f"成都武侯{size}科技有限公司")
    page.goto(f"{site.url}/account/show/{pk}")
    assert "四川省 / 成都市 / 武侯区" in page.content()
    page.screenshot(path=str(SHOTS / f"region-shown-{size}.png"), full_page=True)
    page.goto(f"{site.url}/account/edit/{pk}")
    chosen = [page.locator(f".ll-cascade-level[data-level='{i}'] option:checked").inner_text()
              for i in range(3)]
    assert chosen == ["四川省", "成都市", "武侯区"]
    pick(page, 0, "北京市")  # a municipality: districts right under it, no city level
    pick(page, 1, "海淀区")
    assert not page.locator(".ll-cascade-level[data-level='2']").is_visible()
    assert page.input_value("input[type=hidden]#region") == "110108"
    assert_quiet(page)
