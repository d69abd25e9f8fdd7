"""Synthetic cases: realistic, valid, reproducible (a fixed seed gives the same cases anywhere).

`generate(count, seed)` returns contract columns (dict of lists/arrays) built with numpy all at
once, so ten million cases for the Dask benchmark cost seconds, not minutes.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import numpy as np

from ..core.fields import CANCEL_REASONS, DAMAGE_SEVERITIES, MISMATCHES
from ..core.paths import SAMPLES_DIR

AS_OF = _dt.date(2026, 11, 1)
SAMPLE_ROW_GROUP = 100_000  # Parquet row group: a Dask part reads one group (or a slice) without the rest
_TYPES = (("not_received", .40), ("not_as_described", .25), ("damaged", .20), ("cancellation", .15))
_PLATFORMS = (("aliexpress", .30), ("amazon", .15), ("ebay", .15), ("shopify", .10), ("taobao", .15),
              ("douyin", .10), ("other", .05))
_COUNTRIES = ("US", "GB", "DE", "FR", "ES", "BR", "RU", "CN", "AU", "CA", "MX", "PL")
_LANG_OF = {"US": "en", "GB": "en", "AU": "en", "CA": "en", "DE": "de", "FR": "fr", "ES": "es", "MX": "es",
            "BR": "pt", "RU": "ru", "CN": "zh", "PL": "pl"}
_NAMES = ("Maria Garcia", "John Smith", "李娜", "Olga Ivanova", "Pierre Martin", "Ana Souza", "Emma Brown",
          "王伟", "Lucas Silva", "Sophie Dubois", "Dmitri Petrov", "Chloe Wilson")
_CARRIERS = ("China Post", "Cainiao", "YunExpress", "4PX", "DHL", "UPS", "FedEx", "SF Express", "USPS")


def _pick(rng, options, n):
    names = [o[0] for o in options]
    p = np.array([o[1] for o in options])
    return np.array(names, dtype=object)[rng.choice(len(names), size=n, p=p / p.sum())]


def _dates(days):
    """Day offsets from AS_OF to ISO strings; NaN stays empty."""
    base = np.datetime64(AS_OF.isoformat(), "D")
    out = np.full(len(days), "", dtype=object)
    known = ~np.isnan(days)
    out[known] = np.datetime_as_string(base + days[known].astype("timedelta64[D]"), unit="D")
    return out


def generate(count: int, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    n = count
    dtype = _pick(rng, _TYPES, n)
    platform = _pick(rng, _PLATFORMS, n)
    cn = np.isin(platform, ["taobao", "douyin"])
    country = np.where(cn, "CN", np.array(_COUNTRIES, dtype=object)[rng.integers(0, len(_COUNTRIES), n)])
    currency = np.where(cn, "CNY", np.where(np.isin(country, ["DE", "FR", "ES"]), "EUR", "USD"))
    value = np.round(np.clip(rng.lognormal(3.2, 0.9, n), 1.5, 3000), 2)
    unknown_costs = rng.random(n) < 0.12
    item_cost = np.where(unknown_costs, np.nan, np.round(value * rng.uniform(0.25, 0.7, n), 2))
    shipping = np.where(unknown_costs, np.nan, np.round(rng.uniform(1.5, 18, n), 2))
    ret_ship = np.where(rng.random(n) < 0.15, np.nan, np.round(rng.uniform(2, 30, n), 2))

    order_ago = rng.integers(1, 75, n).astype(float)
    not_shipped = np.isin(dtype, ["not_received", "cancellation"]) & (rng.random(n) < 0.10)
    ship_after = np.minimum(rng.integers(0, 8, n), order_ago)
    ship_ago = np.where(not_shipped, np.nan, order_ago - ship_after)
    promise = rng.choice([7, 10, 15, 20, 30, 45], n).astype(float)
    promise[rng.random(n) < 0.05] = np.nan
    delivered = (~not_shipped) & ((dtype != "not_received") | (rng.random(n) < 0.2)) & (rng.random(n) < 0.93)
    transit_days = np.minimum(rng.integers(2, 40, n), np.nan_to_num(ship_ago, nan=0))
    deliv_ago = np.where(delivered, ship_ago - transit_days, np.nan)

    status = np.full(n, "none", dtype=object)
    moving = (~not_shipped) & ~delivered
    status[moving] = np.array(["pre_transit", "in_transit", "in_transit", "in_transit", "stalled", "customs_hold",
                               "returned_to_sender", "lost"], dtype=object)[rng.integers(0, 8, moving.sum())]
    status[delivered] = "delivered"
    no_tracking_recorded = delivered & (rng.random(n) < 0.03)
    status[no_tracking_recorded] = "none"

    nad, dmg, can = dtype == "not_as_described", dtype == "damaged", dtype == "cancellation"
    mismatch = np.where(nad, np.array(MISMATCHES, dtype=object)[rng.choice(6, n, p=[.25, .25, .15, .2, .05, .1])], "")
    listing_error = np.where(nad & (rng.random(n) < 0.75), np.where(rng.random(n) < 0.4, "true", "false"), "")
    wrong_item = np.where(nad & (rng.random(n) < 0.5), np.where(rng.random(n) < 0.15, "true", "false"), "")
    severity = np.where(dmg, np.array(DAMAGE_SEVERITIES, dtype=object)[rng.integers(0, 3, n)], "")
    missing_parts = dmg & (rng.random(n) < 0.3)
    pack_damaged = np.where(dmg & (rng.random(n) < 0.8), np.where(rng.random(n) < 0.5, "true", "false"), "")
    reason = np.where(can, np.array(CANCEL_REASONS, dtype=object)[rng.choice(6, n, p=[.35, .1, .25, .1, .1, .1])], "")
    request = np.array(["full_refund", "partial_refund", "return_refund", "exchange", "reship", "cancel",
                        "unspecified"], dtype=object)[rng.choice(7, n, p=[.3, .12, .18, .08, .08, .08, .16])]
    request = np.where(can, np.where(rng.random(n) < 0.7, "cancel", request), request)
    resellable = np.where(rng.random(n) < 0.7, np.where(rng.random(n) < 0.7, "true", "false"), "")
    prior = np.where(rng.random(n) < 0.85, 0, rng.integers(1, 9, n))
    idx = np.arange(n)
    has_tracking = (~not_shipped) & ~no_tracking_recorded & (rng.random(n) < 0.97)
    tracking = np.where(has_tracking, np.char.add("LP", np.char.zfill((idx * 7919 % 10**9).astype(str), 9)), "")
    buyer_lang = np.array([_LANG_OF[c] for c in country], dtype=object) if n < 1_000_000 else \
        np.vectorize(_LANG_OF.get, otypes=[object])(country)

    def flag(p):
        return np.where(rng.random(n) < p, "true", "false")

    cols = {
        "case_id": np.char.add("G", np.char.zfill(idx.astype(str), 7)),
        "dispute_type": dtype, "order_value": value, "currency": currency, "platform": platform,
        "item_cost": item_cost, "shipping_cost": shipping, "return_shipping_cost": ret_ship,
        "order_date": _dates(-order_ago), "ship_date": _dates(-ship_ago), "delivery_date": _dates(-deliv_ago),
        "as_of_date": np.full(n, AS_OF.isoformat(), dtype=object), "promised_delivery_days": promise,
        "tracking_status": status, "buyer_request": request,
        "buyer_photos": flag(0.6), "seller_packing_photos": flag(0.35), "proof_of_delivery": np.where(delivered, flag(0.5), "false"),
        "chat_history": flag(0.8), "item_resellable": resellable, "mismatch": mismatch, "listing_error": listing_error,
        "wrong_item_sent": wrong_item,
        "damage_severity": severity, "missing_parts": np.where(missing_parts, "true", "false"),
        "packaging_damaged": pack_damaged, "insured": flag(0.2), "cancel_reason": reason,
        "buyer_prior_disputes": prior, "review_threat": flag(0.06),
        "buyer_name": np.array(_NAMES, dtype=object)[idx % len(_NAMES)], "shop_name": np.full(n, "Sunrise Store", dtype=object),
        "order_id": np.char.add("80", np.char.zfill((idx * 104729 % 10**10).astype(str), 10)),
        "tracking_number": tracking, "carrier": np.where(has_tracking, np.array(_CARRIERS, dtype=object)[idx % len(_CARRIERS)], ""),
        "buyer_language": buyer_lang, "buyer_country": country,
    }
    # A buyer complains about a delivered parcel within days, not weeks: most claims come 0-13 days after
    # delivery, 1 in 20 after 31-59 days (past the shop's 30-day window: the ones the playbook declines).
    # The delivery is placed that many days before the review, the ship and order dates as far before it
    # as drawn above. (Drawn last, so every other column is what the same seed always gave.)
    late = rng.random(n) < 0.05
    claim_after = np.where(late, rng.integers(31, 60, n), np.minimum(rng.geometric(0.25, n) - 1, 13)).astype(float)
    shift = np.where(delivered, claim_after - deliv_ago, 0.0)
    cols.update({"order_date": _dates(-(order_ago + shift)), "ship_date": _dates(-(ship_ago + shift)),
                 "delivery_date": _dates(-(deliv_ago + shift))})
    return cols


def generate_frame(count: int, seed: int = 7):
    import pandas as pd
    return pd.DataFrame(generate(count, seed))


SAMPLE_SUFFIXES = (".csv", ".parquet", ".jsonl")


def write_samples(out, count: int = 1000, seed: int = 7, make=None) -> Path:
    """Generated cases (`make(count, seed)`, default generate_frame) to .csv, .parquet or .jsonl."""
    from ..core.exceptions import UsageError
    from ..iorw.atomic import atomic_write, writable_folder
    out = Path(out)
    if out.suffix not in SAMPLE_SUFFIXES:
        raise UsageError(f"--out {out}: write samples as {', '.join(SAMPLE_SUFFIXES)} (the ending picks the format)")
    if count < 0:
        raise UsageError(f"--count must be 0 or more, not {count}")
    writable_folder(out.parent, out)
    frame = (make or generate_frame)(count, seed)
    if out.suffix == ".parquet":
        atomic_write(out, lambda tmp: frame.to_parquet(tmp, index=False, row_group_size=SAMPLE_ROW_GROUP))
    elif out.suffix == ".jsonl":
        atomic_write(out, lambda tmp: frame.to_json(tmp, orient="records", lines=True, force_ascii=False))
    else:
        atomic_write(out, lambda tmp: frame.to_csv(tmp, index=False))
    return out


TEACHING_CASES = SAMPLES_DIR / "teaching_cases.yaml"
# Rows that break the contract on purpose, so the sample batch shows what errors.csv looks like.
BROKEN_ROWS = (
    {"case_id": "BAD1", "dispute_type": "not_received", "order_value": "-5", "platform": "ebay"},
    {"case_id": "BAD2", "dispute_type": "damaged", "order_value": "20", "order_date": "2026-10-10",
     "ship_date": "2026-10-01"},
    {"case_id": "BAD3", "dispute_type": "lost_parcel", "order_value": "15", "order_date": "2026-13-01"},
)


def teaching_cases() -> list[dict]:
    import yaml
    return yaml.safe_load(TEACHING_CASES.read_text(encoding="utf-8"))


def bundled_frame(generated: int = 470, seed: int = 7):
    """samples/cases.csv: the teaching cases, generated cases and three broken rows, as text."""
    import pandas as pd
    teach = pd.DataFrame([{**t["case"], "as_of_date": AS_OF.isoformat()} for t in teaching_cases()])
    frame = pd.concat([teach, generate_frame(generated, seed), pd.DataFrame(BROKEN_ROWS)], ignore_index=True)
    from ..core.fields import FIELDS, RECORD_ONLY
    frame = frame[[f.name for f in FIELDS if f.name not in RECORD_ONLY]]  # open cases: no history columns
    frame = frame.astype(object).where(frame.notna(), "")
    return frame.map(lambda v: (str(v).lower() if isinstance(v, bool) else
                                f"{v:g}" if isinstance(v, float) else str(v)))
