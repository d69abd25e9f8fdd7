"""The Voila app in headless chromium: `dispute-playbook app` on a free localhost port (stopped by
PID afterwards), Debian's chromium through Playwright. Never skipped: no browser or no server fails.

For each dispute type: fill the form, see a problem appear next to a field and go away, press
Recommend, and read the resolution and the message, which must be what `recommend()` gives for the
same case. Then the Chinese UI, buyer text that tries to run script, and the start page's links.
A screenshot of each filled form goes to test-artifacts/. tests/test_app_browser.py covers the app
itself: kernels, layout, languages across pages, errors, the message editor.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect, sync_playwright

from helpers import recommend
from helpers.playbook.labels import guide
from helpers.ui.notebook_run import teaching_example

import browser_support
from browser_support import close_page, launch_chromium, notebook_parameters, open_page, screenshot, voila_app
from support import CHART_CASE, CHART_ROWS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
XSS = '<img src=x onerror="window.__xss=1">'
# What the test changes in each form: (kind, field, value); kinds: text, select (by label), check, date.
EDITS = {
    "not_received": [("select", "tracking_status", "Lost"), ("check", "insured", True)],
    "not_as_described": [("select", "listing_error", "No"), ("select", "mismatch", "Quality"),
                         ("check", "review_threat", True)],
    "damaged": [("select", "packaging_damaged", "No"), ("check", "seller_packing_photos", True),
                ("check", "missing_parts", True), ("select", "damage_severity", "(unknown)")],
    "cancellation": [("date", "ship_date", "2026-10-31"), ("select", "tracking_status", "In transit"),
                     ("text", "promised_delivery_days", "10")],
}
CASE_VALUES = {"Lost": "lost", "No": False, "Quality": "quality", "(unknown)": None, "In transit": "in_transit",
               "10": 10}


@pytest.fixture(scope="module")
def playwright():
    with sync_playwright() as pw:  # one per worker: Playwright's sync API cannot nest
        yield pw


@pytest.fixture(scope="module")
def app(playwright, tmp_path_factory):
    browser_support.ARTIFACTS.mkdir(exist_ok=True)
    log = browser_support.ARTIFACTS / f"voila-test_browser-{os.getpid()}.log"
    with voila_app(log_path=log) as (port, _):
        browser = launch_chromium(playwright)
        yield browser, port
        browser.close()


@contextmanager
def opened(browser, port, notebook):
    context = browser.new_context()  # its own cookies (the language chosen last time is one)
    page = open_page(context, port, notebook)
    try:
        yield page
    finally:
        close_page(page)
        context.close()


def default_case(name) -> dict:
    """What the form starts from when the parameters give no facts: the notebook's teaching example."""
    from helpers.core.fields import FIELD_BY_NAME
    return {**{k: v for k, v in notebook_parameters(name).items() if k in FIELD_BY_NAME}, **teaching_example(name)}


def edit(page, kind, field, value):
    where = f".dp-field-{field}"
    if kind == "select":
        page.locator(f"{where} select").select_option(label=value)
    elif kind == "check":
        page.locator(f"{where} input[type=checkbox]").set_checked(value)
    elif kind == "date":
        page.locator(f"{where} input[type=date]").fill(value)
    else:
        page.locator(f"{where} input").fill(value)


def recommend_in_page(page, expected):
    page.locator(".dp-recommend").click()
    expect(page.locator(f".dp-resolution.dp-res-{expected.resolution}")).to_be_visible(timeout=30_000)
    expect(page.locator(".dp-resolution")).to_contain_text(expected.alternatives[0]["label"])
    expect(page.locator(".dp-resolution")).not_to_contain_text(f"({expected.resolution})")
    expect(page.locator(".dp-message textarea")).to_have_value(expected.message, timeout=10_000)


@pytest.mark.parametrize("name", list(EDITS))
def test_fill_the_form_and_get_the_recommendation(app, name):
    browser, port = app
    with opened(browser, port, f"{name}.ipynb") as page:
        order_value = page.locator(".dp-field-order_value input")
        order_value.fill("-5")
        expect(page.locator(".dp-error-order_value")).to_have_text("Must be more than 0.", timeout=20_000)
        expect(page.locator(".dp-field-order_value.dp-invalid")).to_be_visible()
        order_value.fill("61.50")
        expect(page.locator(".dp-error-order_value")).to_have_text("", timeout=20_000)
        page.locator(".dp-field-case_id input").fill(f"BT-{name}")
        case = {**default_case(name), "order_value": 61.5, "case_id": f"BT-{name}"}
        for kind, field, value in EDITS[name]:
            edit(page, kind, field, value)
            case[field] = CASE_VALUES.get(value, value) if kind != "date" else value
        expected = recommend({k: v for k, v in case.items() if v is not None})
        recommend_in_page(page, expected)
        # the count is its own widget, updated in the browser just after the message box
        expect(page.locator(".dp-char-count")).to_have_text(re.compile(rf"^{len(expected.message)} "), timeout=10_000)
        expect(page.locator(".dp-rationale")).to_contain_text(expected.rationale[:40])
        page.locator(".dp-cost-chart .dp-chart-bar").first.wait_for(state="visible", timeout=30_000)
        assert screenshot(page, f"form-{name}").stat().st_size > 10_000


def test_the_ui_switches_to_chinese(app):
    browser, port = app
    with opened(browser, port, "not_received.ipynb") as page:
        page.locator(".dp-lang-switch button", has_text="中文").click()
        expect(page.locator(".dp-recommend")).to_have_text("给出建议", timeout=20_000)
        expect(page.locator(".dp-field-order_value .widget-label")).to_have_text("订单金额（USD）")
        expect(page.locator(".dp-guide")).to_contain_text(guide("not_received")["zh"]["title"])
        expected = recommend(default_case("not_received"), lang="zh")
        recommend_in_page(page, expected)
        expect(page.locator(".dp-rationale")).to_contain_text(expected.rationale)
        expect(page.locator(".dp-resolution")).to_contain_text("处理方案")
        page.locator(".dp-cost-chart .dp-chart-bar").first.wait_for(state="visible", timeout=30_000)
        screenshot(page, "form-not_received-zh")


CHART_IN_PAGE = """() => [...document.querySelectorAll('.dp-cost-chart tr.dp-chart-row')].map(r => [
    r.querySelector('th').innerText.trim(), parseFloat(r.querySelector('.dp-chart-bar').style.width),
    r.querySelector('.dp-chart-amount').innerText.trim()])"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_cost_chart_shows_the_options_and_costs_of_a_hand_worked_case(app, lang):
    """Opened as a trainee opens it (?lang= in the address, on a preheated kernel); the chart appears with
    the decision, one bar per option scaled to the dearest, amounts and labels in the page's language."""
    browser, port = app
    with opened(browser, port, f"cancellation.ipynb?lang={lang}") as page:
        expect(page.locator(".dp-recommend")).to_have_text("Recommend" if lang == "en" else "给出建议", timeout=20_000)
        for field in ("order_value", "item_cost", "shipping_cost"):
            page.locator(f".dp-field-{field} input").fill(str(CHART_CASE[field]))
        page.locator(".dp-field-chat_history input[type=checkbox]").set_checked(True)
        expect(page.locator(".dp-form-errors")).to_have_text("")
        page.locator(".dp-recommend").click()
        page.locator(".dp-cost-chart .dp-chart-bar").first.wait_for(state="visible", timeout=30_000)
        assert page.evaluate(CHART_IN_PAGE) == [list(row) for row in CHART_ROWS[lang]]
        caption = page.locator(".dp-cost-chart caption").inner_text()
        assert caption == ("Estimated cost of each option" if lang == "en" else "各方案预计成本")
        widths = page.locator(".dp-cost-chart .dp-chart-bar").evaluate_all("bars => bars.map(b => b.offsetWidth)")
        assert widths[0] > widths[3] > widths[4] > widths[1] > 0 and widths[2] == 0  # drawn to scale
        screenshot(page, f"cost-chart-{lang}")


def test_buyer_text_that_looks_like_html_stays_text(app):
    browser, port = app
    with opened(browser, port, "damaged.ipynb") as page:
        page.locator(".dp-field-buyer_name input").fill(XSS)
        page.locator(".dp-field-shop_name input").fill("{{ 7*7 }}")
        case = {**default_case("damaged"), "buyer_name": XSS, "shop_name": "{{ 7*7 }}"}
        expected = recommend(case)
        assert XSS in expected.message
        recommend_in_page(page, expected)
        expect(page.locator(".dp-case-summary")).to_contain_text(XSS)
        # and again in French (the platform has no language rule): still text
        page.locator(".dp-message-language select").select_option(label="French")
        french = recommend({**case, "buyer_language": "fr"}).message
        expect(page.locator(".dp-message textarea")).to_have_value(french, timeout=20_000)
        # A control image added now, the same way, fails to load and fires its onerror: once it has, an
        # image injected earlier by buyer text would have fired too. Wait for the control, not for a time.
        page.evaluate("""() => { const img = document.createElement('img');
                                 img.onerror = () => { window.__control = 1; };
                                 img.src = 'x-control'; document.body.appendChild(img); }""")
        page.wait_for_function("window.__control === 1", timeout=10_000)
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.locator("img[src='x']").count() == 0
        screenshot(page, "form-damaged-buyer-text")


def test_the_start_page_links_to_the_dispute_notebooks(app):
    browser, port = app
    with opened(browser, port, "start.ipynb") as page:
        page.locator(".dp-lang-switch button", has_text="中文").click()
        expect(page.locator(".dp-link-cancellation")).to_have_attribute("href", "cancellation.ipynb?lang=zh")
        expect(page.locator(".dp-guide")).to_contain_text("如何处理买家纠纷", timeout=20_000)
        page.locator(".dp-link-cancellation").click()
        expect(page.locator(".dp-recommend")).to_be_visible(timeout=90_000)
        assert page.url.endswith("/voila/render/cancellation.ipynb?lang=zh")
        expect(page.locator(".dp-recommend")).to_have_text("给出建议", timeout=20_000)  # the language came along
        assert "case_from_namespace" not in page.content()  # code hidden: Voila strips the sources


def test_the_app_command_needs_the_notebooks_folder(tmp_path):
    done = subprocess.run([sys.executable, "-m", "helpers", "app", "--port", "0", "--notebooks", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "start.ipynb" in done.stderr


def test_a_server_that_cannot_start_is_an_error_not_a_skip(tmp_path):
    with pytest.raises(RuntimeError, match="voila exited"):
        with voila_app(tmp_path):
            pass


def test_a_missing_browser_is_an_error_not_a_skip(playwright, monkeypatch):
    monkeypatch.setattr(browser_support, "CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(RuntimeError, match="no chromium"):
        browser_support.launch_chromium(playwright)


def test_a_kernel_that_dies_is_never_handed_to_a_page_and_its_own_page_says_so(playwright, tmp_path):
    """A preheated kernel that dies while it waits (out of memory, a crash) is shut down when the next
    page is asked for, not restarted blank and served with the stale page of the one that died (a
    form whose buttons answer nothing): the page gets a live kernel and its form works, and the pool
    warms another. When a page's own kernel dies, the page says its session ended and to reload."""
    import json
    import shutil
    import time
    import urllib.request
    served = tmp_path / "notebooks"
    served.mkdir()
    for name in ("start.ipynb", "damaged.ipynb"):  # the start page and one form: two warm kernels
        shutil.copy(browser_support.NOTEBOOKS / name, served)
    log = browser_support.ARTIFACTS / f"voila-dead-kernel-{os.getpid()}.log"
    with voila_app(served, log_path=log, extra=["--pool-size", "1"]) as (port, server):
        wait_until(lambda: browser_support.app_status(port)["pool_ready"] == 2, "the pool's kernels to warm")
        warm = browser_support.kernel_processes(server)
        assert len(warm) == 2
        # "ready" is said when the kernel has started; its notebook runs on: wait until it is idle
        wait_until(lambda: idle(warm), "the warm kernels to finish running their notebooks")
        for kernel in warm:
            kernel.kill()
        time.sleep(8)  # past the moment a restarter (it looks every 3 s) would have started it again, blank
        browser = launch_chromium(playwright)
        try:
            with opened(browser, port, "damaged.ipynb") as page:
                recommend_in_page(page, recommend({k: v for k, v in default_case("damaged").items() if v is not None}))
                # the page's own kernel dies: the page says its session ended and how to go on
                own = page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
                [mine] = [p for p in browser_support.kernel_processes(server) if own in " ".join(p.cmdline())]
                mine.kill()
                notice = page.locator("#dp-connection")
                expect(notice).to_contain_text("session has ended", timeout=20_000)
                expect(notice.locator("a")).to_have_text("Reload the page")
                page.evaluate("() => history.replaceState(null, '', location.pathname + '?lang=zh')")
                expect(notice).to_contain_text("本页的会话已结束", timeout=20_000)  # the page's language
                expect(notice.locator("a")).to_have_text("请重新加载页面")
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/dp/status?kernel={own}", timeout=10) as answer:
                    assert json.load(answer)["kernel_alive"] is False  # shut down, not restarted blank
        finally:
            browser.close()
        wait_until(lambda: browser_support.app_status(port)["pool_ready"] == 2, "the pool to warm new kernels")
        assert not {p.pid for p in warm} & {p.pid for p in browser_support.kernel_processes(server)}


def idle(processes, seconds=3.0) -> bool:
    """No CPU time used by any of the processes for `seconds`."""
    import time
    before = [sum(p.cpu_times()[:2]) for p in processes]
    time.sleep(seconds)
    return [sum(p.cpu_times()[:2]) for p in processes] == before


def wait_until(condition, what, timeout=120.0):
    import time
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.5)
