"""Money in one currency: the shop's exchange-rate table and ISO 4217 codes.

Rules compare amounts with thresholds that carry their currency (parameters.yaml); the engine
converts each case's amounts into the table's base currency for those comparisons only. Refunds
and costs stay in the case's own currency. The rates are the shop's own (a table the trainer
edits in parameters.yaml): nothing is fetched at run time.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

# Amounts (fields and derived facts) a rule may compare with a money threshold.
MONEY_NAMES = ("order_value", "item_cost", "shipping_cost", "return_shipping_cost", "margin")


# Names sellers write for a currency instead of its ISO code, read as that code: renminbi is how
# Chinese shops and their spreadsheets name the yuan, NTD how Taiwanese ones name their dollar.
CURRENCY_NAMES = {"RMB": "CNY", "NTD": "TWD"}


@lru_cache(maxsize=512)
def is_iso_currency(code: str) -> bool:
    """An active ISO 4217 code (the pycountry package's list, not a hand-typed one)."""
    import pycountry
    return pycountry.currencies.get(alpha_3=str(code).upper()) is not None


def rate_column(rates: dict, currency: np.ndarray) -> np.ndarray:
    """Units of each row's currency per 1 unit of the base currency; NaN where the table has none."""
    table = {code: float(rate) for code, rate in rates.items()}
    # a dict lookup per row: 2x faster than sorting a million codes to find the few distinct ones
    return np.fromiter((table.get(c, np.nan) for c in currency), dtype=np.float64, count=len(currency))


def unit_column(whole_units, currency: np.ndarray) -> np.ndarray:
    """The smallest amount of each row's currency: 1 for one without cents (the playbook's
    `whole_units`: JPY, KRW), else 0.01. Refunds are rounded to it."""
    whole = frozenset(whole_units)
    return np.fromiter((1.0 if c in whole else 0.01 for c in currency), dtype=np.float64, count=len(currency))


def amount_text(amount: float, currency: str, whole_units, thousands: bool = False, language: str | None = None) -> str:
    """An amount as people read it: 600 for a whole amount of a currency without cents (JPY), else
    two decimals (19.99, 20.00); with `thousands`, separated (1,278.82); with `language`, as that
    language writes numbers (number_symbols): 1,278.82 in English and Chinese, 1.278,82 in Spanish."""
    sep = "," if thousands or language else ""
    text = f"{amount:{sep}.0f}" if currency in whole_units and float(amount).is_integer() else f"{amount:{sep}.2f}"
    if language is None:
        return text
    decimal, group = number_symbols(language)
    return text.translate({ord(","): group, ord("."): decimal})


def money_text(amount: float, currency: str, whole_units, language: str) -> str:
    """An amount with its currency as a buyer reading `language` writes it (CLDR): ¥299.00 and
    US$29.99 in Chinese, 29,99 € in French, US$29.99 and CN¥299.00 in English. The number is
    amount_text's in that language."""
    prefix, suffix = money_affixes(currency, language)
    return prefix + amount_text(amount, currency, whole_units, language=language) + suffix


@lru_cache(maxsize=256)
def money_affixes(currency: str, language: str) -> tuple[str, str]:
    """(text before, text after) the number of an amount in `currency` written in `language`: the
    currency's symbol where CLDR's pattern for the language puts it. English is world English
    (en_001): US$, never a bare $ that an Australian or Canadian buyer would read as theirs. A
    language CLDR does not know writes amounts as English does."""
    from babel.core import Locale, UnknownLocaleError
    from babel.numbers import get_currency_symbol
    try:
        locale = Locale.parse("en_001" if language == "en" else language)
    except (UnknownLocaleError, ValueError, TypeError):
        locale = Locale.parse("en_001")
    pattern = locale.currency_formats["standard"]
    symbol = get_currency_symbol(currency, locale)
    prefix, suffix = pattern.prefix[0].replace("¤", symbol), pattern.suffix[0].replace("¤", symbol)
    # CLDR's currency spacing (which Babel leaves out): a symbol ending in a letter is kept apart from the
    # digits by a no-break space, RUB 3,200.00 and CHF 12.00, not RUB3,200.00; US$12 and €12 stay as they are
    if prefix[-1:].isalpha():
        prefix += "\u00a0"
    if suffix[:1].isalpha():
        suffix = "\u00a0" + suffix
    return prefix, suffix


@lru_cache(maxsize=64)
def number_symbols(language: str) -> tuple[str, str]:
    """(decimal mark, thousands separator) of a language from CLDR (babel): ('.', ',') for en and zh,
    (',', '.') for es and pt, (',', a no-break space) for fr and ru. A buyer reads "1.278" as one
    thousand in Spanish and as one point something in English. A language CLDR does not know
    writes numbers as English does."""
    from babel.core import UnknownLocaleError
    from babel.numbers import get_decimal_symbol, get_group_symbol
    try:
        return get_decimal_symbol(language), get_group_symbol(language)
    except (UnknownLocaleError, ValueError, TypeError):
        return ".", ","


def no_rate_problem(case_id, code: str, row: int | None = None):
    """The contract-style problem for a case whose currency the shop's rate table lacks."""
    from .exceptions import FieldProblem
    from .reasons import Reason
    return FieldProblem(case_id or None, "currency", Reason("no_rate", code=code), row)
