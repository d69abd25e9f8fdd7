"""Constants and small helpers the tests share (importable: pytest puts tests/ on the path)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 1)
# Two kinds of closed case for hand-worked backtests: not as described without photos (playbook:
# request_evidence, expected cost 4.00), and a cancellation of an unshipped out-of-stock order
# (playbook: cancel_refund, est_cost 30 − 10 goods back in stock − 5 postage not spent = 15)
HISTORY_NAD = {"dispute_type": "not_as_described", "order_value": 40, "buyer_photos": "false", "item_cost": 10,
               "shipping_cost": 5, "order_date": "2026-10-20", "as_of_date": AS_OF.isoformat(), "sku": "S1",
               "mismatch": "size"}
HISTORY_CANCEL = {"dispute_type": "cancellation", "order_value": 30, "cancel_reason": "out_of_stock", "item_cost": 10,
                  "shipping_cost": 5, "order_date": "2026-10-30", "as_of_date": AS_OF.isoformat(), "sku": "S2"}
ARTIFACTS = ROOT / "test-artifacts"

# A cancellation before shipping, costs worked out by hand (parameters.yaml: dispute chances decline 0.5,
# wait 0.2, partial 0.15; lose chance with the saved chat 0.2; no platform penalty). The margin lost if
# the sale goes: 2000 - 1200 - 50 = 750. Cancel: 750. Wait: 0.2 x 0.2 x 750 = 30. Decline: 0.5 x 0.2 x 750
# = 75. Partial refund: the goodwill share 30% of 2000 = 600 (under the 750 margin), + 0.15 x 0.2 x 750 = 622.50. Return and refund: the return postage is unknown.
CHART_CASE = {"order_value": 2000, "item_cost": 1200, "shipping_cost": 50, "chat_history": True}
CHART_ROWS = {
    "en": [("Cancel the order and refund ◀ chosen", 100.0, "750.00 USD"), ("Wait (keep the buyer informed)", 4.0, "30.00 USD"),
           ("Return and refund", 0.0, "unknown"), ("Partial refund", 83.0, "622.50 USD"),
           ("Decline politely, with reasons", 10.0, "75.00 USD")],
    "zh": [("取消订单并退款 ◀ 已选", 100.0, "750.00 USD"), ("等待（保持与买家沟通）", 4.0, "30.00 USD"), ("退货退款", 0.0, "未知"),
           ("部分退款", 83.0, "622.50 USD"), ("礼貌拒绝并说明理由", 10.0, "75.00 USD")],
}


def minimal_case(**fields) -> dict:
    """A valid case of the given type with only what the contract requires, plus overrides."""
    return {"case_id": "C1", "dispute_type": "not_received", "order_value": 25, **fields}


def copy_playbook(tmp_path):
    """A copy of the bundled playbook folder to break on purpose."""
    import shutil
    dest = tmp_path / "playbook"
    shutil.copytree(ROOT / "playbook", dest)
    return dest


def edit_file(path, old, new):
    """Replace the first `old` in a text file (it must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
