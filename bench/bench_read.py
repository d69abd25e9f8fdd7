"""Reading a platform export through a preset, against the same cases already in contract form.

One run, two files holding the same N cases:
  * export: a Taobao after-sales export as Chinese Excel saves it: GBK, a title line above the
    header, Chinese headers and values, amounts like "￥1,132.00", date-times, 19-digit order numbers;
  * plain:  the same cases in UTF-8 with the contract's headers, values, plain numbers, ISO dates.
Measured: what the batch does before deciding (`load_cases`: decode, delimit, map; then
`validate_frame`), best of R rounds each (the two take turns in every round), in one process.
Target: export ≤ 1.3× plain. `load_avg` records `os.getloadavg()` at the start and the end.

    .venv/bin/python bench/bench_read.py [--cases 200000] [--repeat 5]
Writes bench/results/read.json (bench/results/ is not committed).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"

REASONS = {"商品破损": "damaged", "未收到货": "not_received", "质量问题": "not_as_described", "七天无理由退换货": "cancellation"}
# what the preset's other fields fed by 退款原因 give, written out in the plain file too
EXTRA = {"商品破损": ("", "", ""), "未收到货": ("", "", ""), "质量问题": ("quality", "", ""),
         "七天无理由退换货": ("", "changed_mind", "")}
REQUESTS = {"仅退款": "full_refund", "退货退款": "return_refund", "换货": "exchange"}


def make_files(n: int, folder: Path, seed: int = 7) -> tuple[Path, Path]:
    import numpy as np
    rng = np.random.default_rng(seed)
    reasons, requests = list(REASONS), list(REQUESTS)
    cents = rng.integers(500, 500_000, n)
    order_day = rng.integers(0, 60, n)
    export, plain = io.StringIO(newline=""), io.StringIO(newline="")
    we, wp = csv.writer(export, lineterminator="\r\n"), csv.writer(plain, lineterminator="\n")
    we.writerow(["淘宝退款管理导出", "导出时间:2026-11-01 10:00"])
    we.writerow(["退款编号", "订单编号", "买家会员名", "买家实际支付金额", "订单付款时间", "发货时间", "退款原因",
                 "退款类型", "物流公司", "物流单号", "店铺名称", "退款说明"])
    wp.writerow(["case_id", "order_id", "buyer_name", "order_value", "order_date", "ship_date", "dispute_type",
                 "buyer_request", "carrier", "tracking_number", "shop_name", "currency", "platform", "buyer_language",
                 "mismatch", "cancel_reason", "missing_parts", "wrong_item_sent"])
    base = dt.datetime(2026, 9, 1, 8, 0, 0)
    for i in range(n):
        order = base + dt.timedelta(days=int(order_day[i]), seconds=int(i % 86_000))
        ship = order + dt.timedelta(days=1)
        reason, request = reasons[i % 4], requests[i % 3]
        amount = cents[i] / 100
        case_id, order_id = f"TB-R{i:07d}", f"40{i:017d}"
        we.writerow([case_id, order_id, f"买家{i % 997}", f"￥{amount:,.2f}", order.strftime("%Y-%m-%d %H:%M:%S"),
                     ship.strftime("%Y-%m-%d %H:%M:%S"), reason, request, "中通快递", f"73{i:011d}", "好物小店", ""])
        wp.writerow([case_id, order_id, f"买家{i % 997}", f"{amount:.2f}", order.date().isoformat(),
                     ship.date().isoformat(), REASONS[reason], REQUESTS[request], "中通快递", f"73{i:011d}",
                     "好物小店", "CNY", "taobao", "zh", *EXTRA[reason], ""])
    gbk, utf8 = folder / "taobao_export.csv", folder / "plain.csv"
    gbk.write_bytes(export.getvalue().encode("gbk"))
    utf8.write_bytes(plain.getvalue().encode("utf-8"))
    return gbk, utf8


def best(fns: dict, repeat: int) -> dict:
    """Best time of each function over `repeat` rounds, the functions taking turns in each round
    (on a shared machine a burst of load then hits both sides, not one)."""
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: min(t) for name, t in times.items()}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    load_start = os.getloadavg()[0]
    from helpers.batch.read import validate_frame
    from helpers.batch.runner import Options, load_cases
    as_of = dt.date(2026, 11, 1)
    with tempfile.TemporaryDirectory() as tmp:
        gbk, utf8 = make_files(args.cases, Path(tmp))

        def read(path, columns):
            frame = load_cases(Options(cases=str(path), out=tmp, columns=columns), {})
            return frame, validate_frame(frame, as_of=as_of)
        f_export, v_export = read(gbk, "taobao")
        f_plain, v_plain = read(utf8, None)
        assert v_export.valid.sum() == v_plain.valid.sum() == args.cases, "both files must give the same valid cases"
        assert (f_export["order_id"].astype(str) == f_plain["order_id"].astype(str)).all()
        t = best({"export": lambda: read(gbk, "taobao"), "plain": lambda: read(utf8, None),
                  "load_export": lambda: load_cases(Options(cases=str(gbk), out=tmp, columns="taobao"), {}),
                  "load_plain": lambda: load_cases(Options(cases=str(utf8), out=tmp), {})}, args.repeat)
        export_s, plain_s, load_export, load_plain = t["export"], t["plain"], t["load_export"], t["load_plain"]
    result = {"cases": args.cases, "export_gbk_preset_s": round(export_s, 3), "plain_utf8_s": round(plain_s, 3),
              "ratio": round(export_s / plain_s, 2), "load_only_export_s": round(load_export, 3),
              "load_only_plain_s": round(load_plain, 3), "load_only_ratio": round(load_export / load_plain, 2),
              "target_ratio": 1.3, "load_avg": [round(load_start, 2), round(os.getloadavg()[0], 2)]}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "read.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
