"""Chinese text in matplotlib charts: find a CJK font once, for every chart of the toolkit."""
from __future__ import annotations

import logging
import re
from functools import lru_cache

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Source Han Sans SC",
             "Droid Sans Fallback", "SimHei", "Microsoft YaHei", "PingFang SC")


@lru_cache(maxsize=1)
def cjk_fonts() -> tuple:
    """The installed CJK fonts matplotlib can use, best first (empty if none: Chinese shows as boxes)."""
    from matplotlib import font_manager
    installed = {f.name for f in font_manager.fontManager.ttflist}
    if not installed.intersection(CJK_FONTS):  # installed after matplotlib built its font cache
        for path in font_manager.findSystemFonts():
            if re.search(r"wqy|NotoSansCJK|DroidSansFallback", path, re.I):
                font_manager.fontManager.addfont(path)
        installed = {f.name for f in font_manager.fontManager.ttflist}
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # CJK fonts come in one weight only
    return tuple(n for n in CJK_FONTS if n in installed)


def cjk_font():
    """The best CJK font, or None."""
    fonts = cjk_fonts()
    return fonts[0] if fonts else None


def use_cjk_fallback() -> None:
    """Every later chart draws Chinese glyphs: matplotlib falls back font by font, glyph by glyph."""
    import matplotlib
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", *cjk_fonts()]
