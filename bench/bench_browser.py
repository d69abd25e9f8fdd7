"""Browser benchmark: a dispute notebook in Voila against a floor notebook, in one run, one server.

The floor (bench/floor.ipynb) is the cheapest widget page there is: one button that prints a line.
  1. page-open-to-form-ready: goto -> the form's Recommend button visible, vs the floor's button.
     Opens alternate between the two (each open starts its own kernel); the first pair is a warm-up.
  2. click-to-recommendation: click Recommend -> the decision shown, vs floor click -> line printed.
     Timed inside the page (performance.now + MutationObserver), so Playwright's polling adds nothing.
     Before each click the order value changes, so every click decides a new case. The chart is
     drawn after the decision is shown; click-to-chart is reported too.

    .venv/bin/python bench/bench_browser.py [--opens 6] [--clicks 15] [--notebook damaged]
Prints medians and ratios; writes bench/results/browser.json. Targets: both ratios at most 1.5.
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
from browser_support import LAUNCH_ARGS, VIEWPORT, launch_chromium, voila_app  # noqa: E402

from helpers.app.server import page_url  # noqa: E402

TIMED_CLICK = """
async ([button, kind]) => {
  const q = (s) => document.querySelector(s);
  const lines = () => q('.dp-floor-output').innerText.trim().split('\\n').filter(Boolean).length;
  // a changed case empties the resolution (helpers.ui.result_view.ResultView.clear): any text is this click's
  const shown = () => { const b = q('.dp-result'); return b && getComputedStyle(b).display !== 'none'
                        && q('.dp-resolution').innerText.includes('('); };
  const chartSrc = () => (q('img.dp-cost-chart') || {}).src || '';
  const before = kind === 'floor' ? lines() : chartSrc();
  return await new Promise((resolve, reject) => {
    const t0 = performance.now();
    let result = null;
    const check = () => {
      const now = performance.now() - t0;
      if (kind === 'floor') { if (lines() > before) { obs.disconnect(); resolve({output: now}); } return; }
      if (result === null && shown()) result = now;
      if (result !== null && chartSrc() !== before) { obs.disconnect(); resolve({output: result, chart: now}); }
    };
    const obs = new MutationObserver(check);
    obs.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    setTimeout(() => { obs.disconnect(); reject(new Error('no output within 20 s')); }, 20000);
    q(button).click();
  });
}
"""


def open_time(browser, url, selector) -> float:
    page = browser.new_page(viewport=VIEWPORT)
    start = time.perf_counter()
    page.goto(url, timeout=120_000)
    page.wait_for_selector(selector, state="visible", timeout=120_000)
    took = time.perf_counter() - start
    page.close()
    return took


def click_times(browser, url, kind, clicks) -> list[dict]:
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(url, timeout=120_000)
    button = ".dp-floor-button" if kind == "floor" else ".dp-recommend"
    page.wait_for_selector(button, state="visible", timeout=120_000)
    out = []
    for i in range(clicks + 1):  # the first click is a warm-up
        if kind == "form":
            page.fill(".dp-field-order_value input", f"{100 + i * 7.5:.2f}")
            page.wait_for_selector(".dp-result", state="hidden", timeout=20_000)
            page.wait_for_function("document.querySelector('.dp-resolution').innerText.trim() === ''")
        timing = page.evaluate(TIMED_CLICK, [button, kind])
        if i:
            out.append(timing)
    page.close()
    return out


def median(values) -> float:
    return round(statistics.median(values), 4)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--opens", type=int, default=6, help="page opens per notebook (after one warm-up pair)")
    ap.add_argument("--clicks", type=int, default=15, help="timed clicks per notebook (after one warm-up)")
    ap.add_argument("--notebook", default="damaged", help="the dispute notebook to time")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    served = Path(tempfile.mkdtemp(prefix="dp-bench-"))
    for name in ("start", args.notebook):
        shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", served)
    shutil.copy(ROOT / "bench" / "floor.ipynb", served)
    with voila_app(served) as (port, _), sync_playwright() as pw:
        browser = launch_chromium(pw)
        floor_url, form_url = page_url(port, "floor.ipynb"), page_url(port, f"{args.notebook}.ipynb")
        opens = {"floor": [], "form": []}
        for i in range(args.opens + 1):
            floor = open_time(browser, floor_url, ".dp-floor-button")
            form = open_time(browser, form_url, ".dp-recommend")
            if i:
                opens["floor"].append(floor)
                opens["form"].append(form)
        floor_clicks = click_times(browser, floor_url, "floor", args.clicks)
        form_clicks = click_times(browser, form_url, "form", args.clicks)
        browser.close()
    shutil.rmtree(served, ignore_errors=True)

    open_floor, open_form = median(opens["floor"]), median(opens["form"])
    click_floor = median([c["output"] / 1000 for c in floor_clicks])
    click_form = median([c["output"] / 1000 for c in form_clicks])
    click_chart = median([c["chart"] / 1000 for c in form_clicks])
    result = {
        "notebook": args.notebook, "opens": args.opens, "clicks": args.clicks,
        "page_open_to_ready_s": {"floor": open_floor, "form": open_form, "ratio": round(open_form / open_floor, 2)},
        "click_to_output_s": {"floor": click_floor, "recommendation": click_form,
                              "ratio": round(click_form / click_floor, 2), "chart_drawn": click_chart,
                              "chart_ratio": round(click_chart / click_floor, 2)},
        "target_ratio": 1.5,
        "raw": {"opens": opens, "floor_clicks_ms": [round(c["output"], 1) for c in floor_clicks],
                "form_clicks_ms": [{k: round(v, 1) for k, v in c.items()} for c in form_clicks]},
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                    "chromium_args": LAUNCH_ARGS},
    }
    out = ROOT / "bench" / "results" / "browser.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    o, c = result["page_open_to_ready_s"], result["click_to_output_s"]
    print(f"page open -> form ready: {o['form']:.2f} s vs floor {o['floor']:.2f} s  (ratio {o['ratio']})")
    print(f"click -> recommendation: {c['recommendation'] * 1000:.0f} ms vs floor {c['floor'] * 1000:.0f} ms  "
          f"(ratio {c['ratio']}); chart drawn at {c['chart_drawn'] * 1000:.0f} ms (ratio {c['chart_ratio']})")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
