"""Browser benchmark: a dispute notebook in the app against the floor notebook, in one run, on one
server (`dispute-playbook app --also floor.ipynb`, preheated kernels as a class gets them).

The floor (bench/floor.ipynb) is the cheapest widget page there is: one button that prints a line.
  1. page open -> ready: goto -> the form's Recommend button visible, vs the floor's button. Before
     each open the server's warm pool is full again (GET /dp/status), as when trainees arrive a few
     seconds apart. Opens alternate between the two; the first pair is a warm-up.
  2. first click -> chart: on each freshly opened form, the trainee changes the order value (so the
     case is decided afresh, not answered by the decision the warm kernel made of the opening case)
     and, half a second later (as a person moves to the button), the first Recommend until the cost
     chart (an HTML table of bars) is in the page and visible, vs the floor's first click until its
     line is printed. Timed inside the page (performance.now + MutationObserver), so Playwright's
     polling adds nothing.
  3. memory: the server's whole process tree (Voila and its kernels, resident) after 30 visits
     (open, then close the tab) of the form, once the closed pages' kernels have ended.

    .venv/bin/python bench/bench_browser.py [--opens 6] [--visits 30] [--notebook damaged]
Prints medians and ratios; writes bench/results/browser.json. Targets: open <= 1.3x, first click
-> chart <= 2x the floor's click -> output.
"""
from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from browser_support import LAUNCH_ARGS, app_status, close_page, launch_chromium, voila_app  # noqa: E402

from helpers.app.server import page_url  # noqa: E402

VIEWPORT = {"width": 1366, "height": 768}
TIMED_CLICK = """
async ([button, kind]) => {
  const q = (s) => document.querySelector(s);
  const lines = () => q('.dp-floor-output').innerText.trim().split('\\n').filter(Boolean).length;
  const shown = () => { const b = q('.dp-result'); return b && getComputedStyle(b).display !== 'none'
                        && q('.dp-resolution').innerText.trim() !== ''; };
  const chart = () => { const c = q('.dp-cost-chart');  // drawn: its bars are in the page and visible
                        return c && c.offsetParent !== null && c.querySelectorAll('.dp-chart-bar').length > 0
                               ? c.innerHTML : ''; };
  const before = kind === 'floor' ? lines() : chart();
  return await new Promise((resolve, reject) => {
    const t0 = performance.now();
    let result = null;
    const check = () => {
      const now = performance.now() - t0;
      if (kind === 'floor') { if (lines() > before) { obs.disconnect(); resolve({output: now}); } return; }
      if (result === null && shown()) result = now;
      if (result !== null && chart() !== '' && chart() !== before) { obs.disconnect(); resolve({output: result, chart: now}); }
    };
    const obs = new MutationObserver(check);
    obs.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    setTimeout(() => { obs.disconnect(); reject(new Error('no output within 20 s')); }, 20000);
    q(button).click();
  });
}
"""


def wait_pool_full(port, timeout=120.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        s = app_status(port)
        if s["pool_ready"] >= s["pool"] and s["pages_open"] == 0:
            return
        time.sleep(0.1)
    raise RuntimeError("the app's warm pool did not refill")


def visit(context, url, selector, kind, port, edit=None):
    """Open a page on a full pool; (seconds to `selector` visible, first click timing)."""
    wait_pool_full(port)
    page = context.new_page()
    page.set_viewport_size(VIEWPORT)
    start = time.perf_counter()
    page.goto(url, timeout=120_000)
    page.wait_for_selector(selector, state="visible", timeout=120_000)
    took = time.perf_counter() - start
    if edit is not None:
        # A trainee types before pressing Recommend: the form must decide this case afresh (the
        # warmed-up decision of the opening case cannot answer it).
        page.locator(".dp-field-order_value input").fill(edit)
        # ...and then moves to the button: the kernel checks the edited field first (its own round
        # trip, the field's feedback), which is not the click's work. Half a second is less than a
        # person needs between typing and clicking.
        page.wait_for_timeout(500)
    click = page.evaluate(TIMED_CLICK, [selector, kind])
    close_page(page)
    return took, click


def tree_rss_mb(pid) -> float:
    import psutil
    procs = [psutil.Process(pid)] + psutil.Process(pid).children(recursive=True)
    return round(sum(p.memory_info().rss for p in procs if p.is_running()) / 2**20, 1)


def median(values) -> float:
    return round(statistics.median(values), 4)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--opens", type=int, default=6, help="page opens per notebook (after one warm-up pair)")
    ap.add_argument("--visits", type=int, default=30, help="form visits before the memory is read")
    ap.add_argument("--notebook", default="damaged", help="the dispute notebook to time")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    served = Path(tempfile.mkdtemp(prefix="dp-bench-"))
    for name in ("start", args.notebook):
        shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", served)
    shutil.copy(ROOT / "bench" / "floor.ipynb", served)
    with voila_app(served, extra=["--also", "floor.ipynb"]) as (port, server), sync_playwright() as pw:
        browser = launch_chromium(pw)
        context = browser.new_context()
        floor_url, form_url = page_url(port, "floor.ipynb"), page_url(port, f"{args.notebook}.ipynb")
        opens, clicks = {"floor": [], "form": []}, {"floor": [], "form": []}
        for i in range(args.opens + 1):
            f_open, f_click = visit(context, floor_url, ".dp-floor-button", "floor", port)
            d_open, d_click = visit(context, form_url, ".dp-recommend", "form", port, edit=f"{150 + i}.50")
            if i:
                opens["floor"].append(f_open)
                opens["form"].append(d_open)
                clicks["floor"].append(f_click)
                clicks["form"].append(d_click)
        wait_pool_full(port)
        before = tree_rss_mb(server.pid)
        for _ in range(args.visits):
            page = context.new_page()
            page.goto(form_url, timeout=300_000, wait_until="commit")
            page.wait_for_selector(".dp-recommend", state="visible", timeout=300_000)
            close_page(page)
        wait_pool_full(port)
        after, status = tree_rss_mb(server.pid), app_status(port)
        browser.close()
    shutil.rmtree(served, ignore_errors=True)

    open_floor, open_form = median(opens["floor"]), median(opens["form"])
    click_floor = median([c["output"] / 1000 for c in clicks["floor"]])
    shown = median([c["output"] / 1000 for c in clicks["form"]])
    chart = median([c["chart"] / 1000 for c in clicks["form"]])
    result = {
        "notebook": args.notebook, "opens": args.opens, "visits": args.visits,
        "page_open_to_ready_s": {"floor": open_floor, "form": open_form, "ratio": round(open_form / open_floor, 2),
                                 "target_ratio": 1.3},
        "first_click_s": {"floor_output": click_floor, "form_decision": shown, "form_chart": chart,
                          "chart_ratio": round(chart / click_floor, 2), "target_ratio": 2.0},
        "memory_mb": {"server_tree_before_visits": before, "server_tree_after_visits": after,
                      "kernels_after": status["kernels"], "pages_open_after": status["pages_open"]},
        "raw": {"opens": opens, "clicks_ms": {k: [{n: round(v, 1) for n, v in c.items()} for c in cs]
                                              for k, cs in clicks.items()}},
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                    "chromium_args": LAUNCH_ARGS},
    }
    out = ROOT / "bench" / "results" / "browser.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    o, c, m = result["page_open_to_ready_s"], result["first_click_s"], result["memory_mb"]
    print(f"page open -> ready: form {o['form']:.2f} s vs floor {o['floor']:.2f} s  (ratio {o['ratio']}, target 1.3)")
    print(f"first click: form decision {c['form_decision'] * 1000:.0f} ms, chart {c['form_chart'] * 1000:.0f} ms vs "
          f"floor output {c['floor_output'] * 1000:.0f} ms  (chart ratio {c['chart_ratio']}, target 2)")
    print(f"server memory (Voila + kernels): {m['server_tree_before_visits']:.0f} MB before, "
          f"{m['server_tree_after_visits']:.0f} MB after {args.visits} visits; {m['kernels_after']} kernels, "
          f"{m['pages_open_after']} pages open")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
