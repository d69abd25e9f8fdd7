"""The app a room of trainees uses, in headless chromium against `dispute-playbook app` (one server
for the module, `--max-kernels 3`, a preheated kernel per notebook): kernels end with their pages and
the N+1th page is refused politely; the start page is the root; trainee-only pages, no code; the
form on the first screen at 1366×768 and usable at 390 px; the language follows links and reloads
and the Chinese page has no English sentence or internal code; errors as people expect; an edited
message survives a language switch; a notice when the server stops. Never skipped.
Screenshots at 1366×768 and 390×844 go to test-artifacts/.
"""
from __future__ import annotations

import json
import re
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from helpers.ui.notebook_run import teaching_example

from browser_support import (NOTEBOOKS, REPO, app_status, close_page, kernel_processes, launch_chromium, open_page, screenshot,
                             voila_app)
from helpers.app.server import page_url, stop

pytestmark = [pytest.mark.browser, pytest.mark.slow]
MAX_KERNELS = 3
WIDE, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app on a copy of the notebooks plus bench/floor.ipynb (the cheapest page: 30 visits of it
    test the kernels' life cycle without 30 form starts). No warm pool here, so every visit starts and
    must end its own kernel; tests/test_browser.py runs the app with its default pool."""
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    served = tmp_path_factory.mktemp("notebooks")
    shutil.copytree(NOTEBOOKS, served, dirs_exist_ok=True)
    shutil.copy(REPO / "bench" / "floor.ipynb", served)
    write_developer_notebook(served / "developer.ipynb")
    extra = ["--max-kernels", str(MAX_KERNELS), "--pool-size", "0", "--also", "floor.ipynb", "--also", "developer.ipynb"]
    with voila_app(served, log_path=log, extra=extra) as (port, server), sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser, port, server
        browser.close()


DEV_MARK = "ran-jupyter-only.txt"


def write_developer_notebook(path):
    """A page whose first cell is developer material (tagged jupyter-only) that would leave a file
    behind if it ran; its second cell shows a button."""
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(f"open({DEV_MARK!r}, 'w').write('the app ran me')",
                                          metadata={"tags": ["jupyter-only"]}),
                nbformat.v4.new_code_cell("import ipywidgets as widgets\n"
                                          "widgets.Button(description='Shown').add_class('dp-dev-shown')")]
    nbformat.write(nb, str(path))


@contextmanager
def fresh(browser):
    """A context of its own: no cookie from another test (the language chosen last time is one)."""
    context = browser.new_context()
    try:
        yield context
    finally:
        context.close()


def new_page(context, viewport):
    page = context.new_page()
    page.set_viewport_size(viewport)
    return page


def wait_for(condition, timeout=60.0, what="condition"):
    """Poll `condition()` until true (kernel shutdowns are asynchronous); no fixed sleeps."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} not reached within {timeout:.0f} s")


def test_closed_and_reloaded_pages_end_their_kernels_and_a_full_app_says_so(app):
    browser, port, server = app
    wait_for(lambda: app_status(port)["pages_open"] == 0, what="no page open")
    with fresh(browser) as context:
        for i in range(30):  # 30 visits: open, sometimes reload, close the tab
            page = new_page(context, WIDE)
            page.goto(page_url(port, "floor.ipynb"), timeout=90_000)
            page.wait_for_selector(".dp-floor-button", state="visible", timeout=90_000)
            if i % 5 == 0:
                page.reload()
                page.wait_for_selector(".dp-floor-button", state="visible", timeout=90_000)
            assert app_status(port)["pages_open"] <= MAX_KERNELS
            assert len(kernel_processes(server)) <= MAX_KERNELS
            close_page(page)
        wait_for(lambda: app_status(port)["kernels"] == 0, what="every closed page's kernel ended")
        wait_for(lambda: not kernel_processes(server), what="no kernel process left")
        pages = [open_page(context, port, "start.ipynb", viewport=WIDE) for _ in range(MAX_KERNELS)]
        # the kernels' channels are Unix sockets, not TCP ports: a port one server picked could be taken
        # by another server's kernel first, and that kernel died ("Address already in use")
        kernels = kernel_processes(server)
        assert len(kernels) == MAX_KERNELS
        for kernel in kernels:
            command = kernel.cmdline()
            info = json.loads(Path(command[command.index("-f") + 1]).read_text())
            assert info["transport"] == "ipc"
            assert all(Path(f"{info['ip']}-{info[channel]}").is_socket() for channel in
                       ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"))
        extra = context.new_page()
        response = extra.goto(page_url(port, "damaged.ipynb"))
        assert response.status == 503
        expect(extra.locator("h1")).to_have_text("The app is full · 当前人数已满")
        expect(extra.locator("body")).to_contain_text(f"{MAX_KERNELS} pages are open on this server")
        assert "Traceback" not in extra.content()
        for page in pages:
            close_page(page)
        wait_for(lambda: app_status(port)["pages_open"] == 0, what="the pages' kernels ended")
        response = extra.goto(page_url(port, "damaged.ipynb"))  # room again
        assert response.status == 200
        extra.wait_for_selector(".dp-recommend", state="visible", timeout=90_000)
        close_page(extra)


def test_the_root_is_the_start_page_and_only_trainee_pages_are_served(app):
    browser, port, _ = app
    with fresh(browser) as context:
        page = new_page(context, WIDE)
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector(".dp-link-damaged", state="visible", timeout=90_000)
        assert page.url.startswith(page_url(port, "start.ipynb"))
        # words, not a file name (set from the page's heading once the kernel has drawn it)
        expect(page).to_have_title("How to handle a buyer dispute · Dispute Playbook", timeout=20_000)
        link = page.locator(".dp-link-damaged")
        looks = link.evaluate("a => [getComputedStyle(a).textDecorationLine, getComputedStyle(a).color]")
        assert looks[0] == "underline" and looks[1] != "rgb(0, 0, 0)"  # a link looks like a link
        text = page.locator("body").inner_text()
        assert "papermill" not in text and "import" not in text and "notebook_run" not in page.content()
        close_page(page)
        for name in ("batch_review.ipynb", "workshop_report.ipynb", "../README.md"):
            other = context.new_page()
            response = other.goto(page_url(port, name))
            assert response.status == 404, name
            expect(other.locator("h1")).to_have_text("Page not found · 找不到此页")
            other.close()
        listing = context.new_page()
        listing.goto(f"http://127.0.0.1:{port}/voila/tree")  # Voila's file list: the start page instead
        assert listing.url.startswith(page_url(port, "start.ipynb"))
        close_page(listing)


def test_jupyter_only_cells_are_neither_shown_nor_run_in_the_app(app):
    """Voila skips them (VoilaExecutor.skip_cells_with_tag); JupyterLab and nbval still run them
    (tests/test_notebooks.py compares the dispute notebooks' jupyter-only outputs)."""
    browser, port, server = app
    served = Path(server.args[server.args.index("--notebooks") + 1])
    with fresh(browser) as context:
        page = new_page(context, WIDE)
        page.goto(page_url(port, "developer.ipynb"))
        expect(page.locator(".dp-dev-shown")).to_be_visible(timeout=90_000)  # the untagged cell ran
        assert "the app ran me" not in page.content() and DEV_MARK not in page.content()
        close_page(page)
    assert (served / "developer.ipynb").exists() and not (served / DEV_MARK).exists()  # the tagged cell did not run


def test_the_form_fits_the_first_screen_and_a_phone(app):
    browser, port, _ = app
    with fresh(browser) as context:
        page = open_page(context, port, "not_received.ipynb", viewport=WIDE)
        first = page.locator(".dp-field-case_id input").bounding_box()
        button = page.locator(".dp-recommend").bounding_box()
        last = page.locator(".dp-field-return_shipping_cost input").bounding_box()
        assert first["y"] + first["height"] <= 768 and button["y"] + button["height"] <= 768
        assert last["y"] + last["height"] <= 768  # the whole form, not only its top
        text = page.locator("body").inner_text()
        assert "papermill" not in text and "The parameters' case" not in text  # no command line, no example result
        expect(page.locator(".dp-example-note")).to_contain_text("Teaching example, not your case")
        assert screenshot_viewport(page, "app-not_received-1366x768").stat().st_size > 10_000
        page.set_viewport_size(PHONE)
        page.wait_for_function("document.documentElement.scrollWidth <= 392")
        for field in ("case_id", "order_value", "platform", "order_date", "buyer_name"):
            box = page.locator(f".dp-field-{field} input, .dp-field-{field} select").first.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, field  # nothing cut off
        # a name of 1,600 letters without a space (pasted by mistake) widened the result to 14,807 px
        page.locator(".dp-field-buyer_name input").fill("Ł" * 1600)
        page.locator(".dp-recommend").click()
        page.locator(".dp-cost-chart .dp-chart-bar").first.wait_for(state="visible", timeout=30_000)
        chart = page.locator(".dp-cost-chart").bounding_box()
        assert chart["x"] + chart["width"] <= 390
        expect(page.locator(".dp-case-summary")).to_contain_text("ŁŁŁŁ")
        assert page.evaluate("document.documentElement.scrollWidth") <= 392
        report = page.locator(".dp-report").first  # the name wraps: the result is not cut off at its edge
        assert report.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), report.evaluate("e => e.scrollWidth")
        assert screenshot_viewport(page, "app-not_received-390x844").stat().st_size > 10_000
        close_page(page)


def screenshot_viewport(page, name):
    path = screenshot(page, name)  # full page
    page.screenshot(path=str(path.with_name(name + "-screen.png")))  # what the first screen shows
    return path


ENGLISH_SENTENCE = re.compile(r"[A-Za-z][A-Za-z']+(?:[ ,][A-Za-z][A-Za-z']*){2,}")
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # internal ids look like full_refund, seller_packing_photos


def english_or_codes(text: str, case: dict) -> list[str]:
    """ASCII-only English phrases (three words or more) and snake_case ids in a page's text,
    once the case's own data (names, shop, carrier) and the brand are taken out."""
    for value in list(case.values()) + ["Dispute Playbook", "English"]:
        if isinstance(value, str):
            text = text.replace(value, " ")
    return ENGLISH_SENTENCE.findall(text) + CODE.findall(text)


def test_chinese_follows_links_and_reloads_and_leaves_no_english(app):
    browser, port, _ = app
    case = teaching_example("not_received")
    with fresh(browser) as context:
        page = open_page(context, port, "start.ipynb", viewport=WIDE)
        page.locator(".dp-lang-switch button", has_text="中文").click()
        assert page.url.endswith("start.ipynb?lang=zh")
        page.reload()
        expect(page.locator(".dp-guide")).to_contain_text("如何处理买家纠纷", timeout=90_000)
        page.locator(".dp-link-not_received").click()
        expect(page.locator(".dp-recommend")).to_have_text("给出建议", timeout=90_000)
        page.reload()
        expect(page.locator(".dp-recommend")).to_have_text("给出建议", timeout=90_000)
        page.locator(".dp-recommend").click()
        page.locator(".dp-cost-chart .dp-chart-bar").first.wait_for(state="visible", timeout=30_000)
        page.locator(".dp-message-language select").select_option(label="中文")  # AliExpress: English it is
        expect(page.locator(".dp-message-note")).to_have_text("速卖通要求使用英语发送消息，因此消息为英语。")
        page.locator(".dp-field-order_value input").fill("abc")
        page.locator(".dp-field-ship_date input").fill("2026-08-01")
        expect(page.locator(".dp-error-ship_date")).to_have_text("2026/08/01 早于下单日期（2026/09/01）。")
        text = page.locator(".dp-app").inner_text()
        assert english_or_codes(text, case) == []
        expect(page).to_have_title(re.compile("^订单未达"), timeout=20_000)
        screenshot(page, "app-not_received-zh")
        close_page(page)
        # a typed address without ?lang= opens in the language chosen last (a cookie)
        page = new_page(context, WIDE)
        page.goto(page_url(port, "damaged.ipynb"))
        expect(page.locator(".dp-recommend")).to_have_text("给出建议", timeout=90_000)
        assert page.url.endswith("damaged.ipynb?lang=zh")
        close_page(page)


def test_errors_show_at_once_outlined_with_labels_and_picker_dates(app):
    browser, port, _ = app
    with fresh(browser) as context:
        page = open_page(context, port, "cancellation.ipynb", viewport=WIDE)
        page.locator(".dp-field-order_value input").fill("-3")
        page.locator(".dp-field-ship_date input").fill("2026-08-01")
        expect(page.locator(".dp-error-order_value")).to_have_text("Must be more than 0.", timeout=20_000)
        expect(page.locator(".dp-error-ship_date")).to_contain_text("08/01/2026 is before the order date (")
        expect(page.locator(".dp-form-errors")).to_have_text(
            "Fix the 2 field(s) marked in red, then press Recommend: Order value, Ship date.")
        border = page.locator(".dp-field-order_value input").evaluate("e => getComputedStyle(e).borderTopColor")
        assert border == "rgb(176, 0, 32)"  # outlined in red (#b00020)
        border = page.locator(".dp-field-case_id input").evaluate("e => getComputedStyle(e).borderTopColor")
        assert border != "rgb(176, 0, 32)"
        assert page.locator(".dp-result-prompt").is_hidden()
        assert page.locator("[title=null]").count() == 0
        page.locator(".dp-field-order_value input").fill("1e12")
        page.locator(".dp-field-ship_date input").fill("")
        expect(page.locator(".dp-error-order_value")).to_contain_text("1,000,000,000,000.00 USD is unusually high")
        close_page(page)


def test_an_edited_message_survives_a_language_switch(app):
    browser, port, _ = app
    with fresh(browser) as context:
        page = open_page(context, port, "damaged.ipynb", viewport=WIDE)
        page.locator(".dp-recommend").click()
        box = page.locator(".dp-message textarea")
        expect(box).not_to_have_value("", timeout=30_000)
        mine = box.input_value() + "\nPS: my own words."
        box.fill(mine)
        page.locator(".dp-lang-switch button", has_text="中文").click()
        expect(page.locator(".dp-message-kept")).to_have_text("你对消息的修改已保留。本案例的新文本已生成：", timeout=20_000)
        expect(box).to_have_value(mine)
        page.locator(".dp-recommend").click()
        expect(page.locator(".dp-message-replace")).to_be_visible(timeout=20_000)
        expect(box).to_have_value(mine)
        page.locator(".dp-message-replace").click()
        expect(box).not_to_have_value(mine, timeout=20_000)
        close_page(page)


def test_a_stopped_server_shows_connection_lost(app, tmp_path):
    browser = app[0]  # a server of its own to stop; the module's browser (Playwright's sync API cannot nest)
    with voila_app(log_path=tmp_path / "voila.log", extra=["--pool-size", "0"]) as (port, server), \
            fresh(browser) as context:
        page = open_page(context, port, "start.ipynb", viewport=WIDE)
        notice = page.locator("#dp-connection")
        assert notice.is_hidden()
        stop(server, grace=20)
        expect(notice).to_contain_text("Connection lost", timeout=20_000)
        expect(notice.locator("a")).to_have_text("Reload the page")
        # in the page's language: the notice is written again at each check, in the address's language
        page.evaluate("() => history.replaceState(null, '', location.pathname + '?lang=zh')")
        expect(notice).to_contain_text("与服务器的连接已断开", timeout=20_000)
        expect(notice.locator("a")).to_have_text("请重新加载页面")


def test_a_playbook_a_trainer_breaks_while_a_page_is_open_is_told_on_the_page(app, tmp_path, monkeypatch):
    """A trainer edits the playbook while the room works (the app reads it again on change). A mistake
    in the edit shows on the open page, file and line, where before the Recommend button seemed dead
    (the error went to the server's log); once the file is fixed the same page decides again."""
    browser = app[0]  # a server of its own, on a copy of the playbook
    playbook = tmp_path / "playbook"
    shutil.copytree(REPO / "playbook", playbook)
    monkeypatch.setenv("DISPUTE_PLAYBOOK_DIR", str(playbook))
    monkeypatch.setenv("DISPUTE_PLAYBOOK_CACHE", str(tmp_path / "cache"))
    table = playbook / "damaged.yaml"
    good = table.read_text(encoding="utf-8")
    with voila_app(log_path=tmp_path / "voila.log", extra=["--pool-size", "0"]) as (port, _), \
            fresh(browser) as context:
        page = open_page(context, port, "damaged.ipynb?lang=zh", viewport=WIDE)
        page.locator(".dp-recommend").click()
        expect(page.locator(".dp-resolution")).to_be_visible(timeout=30_000)
        table.write_text(good.replace("    resolution: request_evidence", "    resolution: [request_evidence", 1),
                         encoding="utf-8")
        page.locator(".dp-field-buyer_name input").fill("Li")
        errors = page.locator(".dp-form-errors")
        expect(errors).to_contain_text("修正以下问题之前无法给出建议（请告知培训老师）：", timeout=20_000)
        expect(errors).to_contain_text(f"{table}:24: is not valid YAML")
        expect(page.locator(".dp-resolution")).to_have_count(0)
        page.locator(".dp-recommend").click()
        expect(errors).to_contain_text("damaged.yaml:24")
        table.write_text(good, encoding="utf-8")
        page.locator(".dp-field-buyer_name input").fill("Wang")
        expect(errors).to_have_text("", timeout=20_000)
        page.locator(".dp-recommend").click()
        expect(page.locator(".dp-resolution")).to_be_visible(timeout=30_000)
        assert "Traceback" not in page.locator("body").inner_text()
        close_page(page)
