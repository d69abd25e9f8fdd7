"""Write the messy platform exports in samples/exports/ (one per built-in preset), reproducibly.

    .venv/bin/python scripts/make_sample_exports.py

Each file looks like what the platform's export gives a seller, with the mess real files have: a
title line above the header, currency signs and thousands separators, 16-19-digit order numbers,
blank cells, GBK or GB18030 for the Chinese platforms (CSV saved by Chinese Excel), date-times.
tests/test_presets.py reviews each one end to end with its preset.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "samples" / "exports"


def _csv(path: Path, title: list | None, header: list, rows: list, encoding: str, footer=()) -> None:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    if title is not None:
        w.writerow(title)
    w.writerow(header)
    w.writerows(rows)
    w.writerows(footer)
    path.write_bytes(buf.getvalue().encode(encoding))


def aliexpress():
    from openpyxl import Workbook
    wb = Workbook()
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 11, 1)
    ws = wb.active
    ws.title = "订单"
    ws.append(["订单批量导出(最近3个月) 导出时间:2026-11-01 10:00:00"])
    ws.append(["订单号", "订单状态", "买家名称", "订单金额", "下单时间", "发货时间", "物流单号", "物流服务",
               "收货国家", "纠纷原因", "物流状态", "买家诉求", "备注"])
    rows = [
        ["3051234567890001", "纠纷中", "John Smith", "US $1,278.82", "2026-10-03 14:22:10", "2026-10-05 09:00:00",
         "LP00123456789CN", "AliExpress Standard Shipping", "美国", "未收到货", "丢失", "全额退款", "=HYPERLINK(\"x\")"],
        ["3051234567890002", "纠纷中", "Ana Lima", "US $25.00", "2026-10-30 08:00:00", None, None, None,
         "巴西", "取消订单", "未发货", "取消订单", None],
        ["3051234567890003", "纠纷中", "Tom Lee", None, "2026-10-01 08:00:00", "2026-10-02 08:00:00",
         "LP00123456791CN", "Cainiao", "英国", "货物破损", "已签收", "换货", "金额空白"],
        ["3051234567890004", "纠纷中", "Eva Braun", "US $89.90", "2026-10-01 08:00:00", "2026-10-02 08:00:00",
         "LP00123456792CN", "Cainiao", "德国", "货物破损", "已签收", "换货", None],
        ["3051234567890005", "纠纷中", "Ivan P", "US $40.00", "2026-10-01 08:00:00", "2026-10-02 08:00:00",
         "LP00123456793CN", "Cainiao", "俄罗斯", "假货", "已签收", "全额退款", "原因未映射"],
        ["3051234567890006", "纠纷中", "Kim Su", "US $1,050.00", "2026/10/01", None, None, None,
         "韩国", "取消订单", "未发货", "取消订单", "日期格式不同"],
    ]
    for r in rows:
        ws.append(r)
    wb.save(OUT / "aliexpress_orders.xlsx")


def taobao():
    header = ["退款编号", "订单编号", "买家会员名", "买家实际支付金额", "订单付款时间", "发货时间", "退款原因",
              "退款类型", "物流公司", "物流单号", "店铺名称", "退款说明"]
    rows = [
        ["TB-R001", "4012345678901234567", "小王", "￥1,132.00", "2026-10-10 12:00:00", "2026-10-11 08:00:00",
         "商品破损", "仅退款", "中通快递", "7312345678901", "好物小店", "外箱压坏,屏幕碎了"],
        ["TB-R002", "4012345678901234568", "小李", "￥59.90", "2026-10-12 09:30:00", "2026-10-13 10:00:00",
         "七天无理由退换货", "退货退款", "圆通速递", "YT1234567890123", "好物小店", ""],
        ["TB-R003", "4012345678901234569", "老张", "￥199.00", "2026-10-28 20:15:00", "",
         "拍错/多拍", "仅退款", "", "", "好物小店", "还没发货"],
        ["TB-R004", "4012345678901234570", "阿强", "￥88.00", "2026-10-05 11:00:00", "2026-10-06 09:00:00",
         "", "仅退款", "韵达快递", "4312345678901", "好物小店", "原因空白"],
        ["TB-R005", "4012345678901234571", "小美", "￥2,380.50", "2026-10-08 16:40:00", "2026-10-09 09:00:00",
         "少件/漏发", "仅退款", "顺丰速运", "SF1234567890123", "好物小店", "少了充电器"],
        ["TB-R006", "4012345678901234572", "大刘", "￥129.00", "2026-10-15 13:00:00", "2026-10-16 09:00:00",
         "发错货", "换货", "中通快递", "7312345678902", "好物小店", "要黑色,发了白色"],
    ]
    _csv(OUT / "taobao_refunds.csv", ["淘宝退款管理导出", "导出时间:2026-11-01 10:00"], header, rows, "gbk")


def douyin():
    header = ["售后单号", "订单编号", "买家昵称", "订单实付金额", "下单时间", "发货时间", "售后原因", "售后类型",
              "物流公司", "物流单号", "商品可二次销售", "商品名称"]
    rows = [
        ["7301234567890123401", "6923456789012345601", "抖音用户A", "¥1,299.00", "2026/10/02 10:00:00",
         "2026/10/03 09:00:00", "未收到货", "仅退款", "极兔速递", "JT1234567890123", "", "蓝牙耳机"],
        ["7301234567890123402", "6923456789012345602", "抖音用户B", "¥89.00", "2026/10/05 21:00:00",
         "2026/10/06 09:00:00", "质量问题", "退货退款", "中通快递", "7312345678903", "否", "保温杯"],
        ["7301234567890123403", "6923456789012345603", "抖音用户C", "¥35.50", "2026/10/30 22:10:00", "",
         "拍错/多拍", "仅退款", "", "", "", "数据线"],
        ["7301234567890123404", "6923456789012345604", "抖音用户D", "", "2026/10/05 21:00:00",
         "2026/10/06 09:00:00", "商品破损", "仅退款", "中通快递", "7312345678904", "", "金额空白"],
        ["7301234567890123405", "6923456789012345605", "抖音用户E", "¥2,099.00", "2026/10/10 08:00:00",
         "2026/10/11 09:00:00", "少件/漏发", "补寄", "顺丰速运", "SF1234567890124", "", "平板电脑"],
    ]
    _csv(OUT / "douyin_aftersales.csv", ["抖店售后单导出"], header, rows, "gb18030")  # ¥ is not in GBK


def ebay():
    header = ["Sales Record Number", "Order Number", "Buyer Username", "Buyer Name", "Total Price", "Sale Date",
              "Shipped On Date", "Tracking Number", "Shipping Service", "Ship To Country", "Case Type", "Buyer Request"]
    rows = [
        ["1001", "12-10234-56789", "bob_buys", "Bob Ray", "$1,278.82", "Oct-03-26", "Oct-04-26",
         "9400111899223344556677", "USPS Ground Advantage", "United States", "Item not received", "Refund"],
        ["1002", "12-10234-56790", "kate_k", "Kate K", "$45.00", "Oct-20-26", "", "", "", "United Kingdom",
         "Cancellation", "Cancel"],
        ["1003", "12-10234-56791", "max_m", "Max M", "$60.00", "Oct-01-26", "Oct-02-26", "1Z999AA10123456784",
         "UPS Ground", "Germany", "Item arrived damaged", "Replacement"],
        ["1004", "", "no_order", "No Order", "$12.00", "Oct-01-26", "", "", "", "Canada", "SNAD", "Refund"],
    ]
    footer = [["4 record(s) downloaded"], ["Seller ID : demo_seller"]]
    _csv(OUT / "ebay_orders.csv", [""], header, rows, "utf-8-sig", footer)


def amazon():
    header = ["Order ID", "Order date", "Return request date", "Return reason", "Order Amount", "Currency code",
              "Label cost", "Resolution", "In policy", "Item Name"]
    rows = [
        ["302-1234567-1234567", "03-Oct-2026", "20-Oct-2026", "CR-DAMAGED_BY_CARRIER", "1.234,56", "EUR", "4,95",
         "Refund", "Y", "Kaffeemaschine, Edelstahl"],
        ["302-1234567-1234568", "05-Oct-2026", "21-Oct-2026", "CR-UNWANTED_ITEM", "49,90", "EUR", "4,95",
         "Refund", "Y", "Handtuch"],
        ["302-1234567-1234569", "06-Oct-2026", "22-Oct-2026", "AMZ-PG-BAD-DESC", "89,00 €", "", "",
         "Replacement", "N", "Lampe"],
        ["302-1234567-1234570", "10/06/2026", "22-Oct-2026", "CR-DEFECTIVE", "19,99", "EUR", "", "Refund", "Y",
         "Datum im falschen Format"],
    ]
    _csv(OUT / "amazon_returns.csv", ["Manage Returns report 2026-11-01"], header, rows, "utf-8")


def shopify():
    header = ["Name", "Email", "Financial Status", "Fulfillment Status", "Currency", "Subtotal", "Shipping", "Total",
              "Created at", "Fulfilled at", "Lineitem name", "Billing Name", "Shipping Country", "Notes", "Id",
              "Dispute Reason"]
    rows = [
        ["#1001", "a@example.com", "paid", "fulfilled", "USD", "120.00", "8.00", "128.00",
         "2026-10-03 14:22:10 +0800", "2026-10-04 09:00:00 +0800", "Desk lamp", "Amy Chen", "US",
         "Gift wrap.\nLeave at door", "5812345678901", "product_not_received"],
        ["#1001", "a@example.com", "", "", "", "", "", "", "2026-10-03 14:22:10 +0800", "", "Bulb", "", "",
         "", "", ""],
        ["#1002", "b@example.com", "paid", "unfulfilled", "CAD", "1,045.00", "0.00", "1,045.00",
         "2026-10-29 08:00:00 -0400", "", "Chair", "Ben Roy", "CA", "", "5812345678902", "credit_not_processed"],
        ["#1003", "c@example.com", "paid", "fulfilled", "USD", "75.50", "5.00", "80.50",
         "2026-10-05 10:00:00 +0800", "2026-10-06 10:00:00 +0800", "Vase \"Blue\"", "Cara Li", "GB", "",
         "5812345678903", "damaged"],
    ]
    _csv(OUT / "shopify_orders.csv", ["Orders export"], header, rows, "utf-8")


def main(out: Path = OUT):
    global OUT
    OUT = Path(out)
    OUT.mkdir(parents=True, exist_ok=True)
    for make in (aliexpress, taobao, douyin, ebay, amazon, shopify):
        make()


if __name__ == "__main__":
    main()
