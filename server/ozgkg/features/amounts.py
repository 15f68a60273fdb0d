"""Amounts and periods as German readers write them: 20.000 EUR, 7,72 Mio. EUR, 2021–2022.

Digits are grouped by Babel's German locale data; the scale words and the phrasing are ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal

_QUALIFIER_WORDS = {
    "up-to": "bis zu",
    "about": "rund",
    "almost": "fast",
    "more-than": "über",
    "expected": "voraussichtlich",
}
_BASIS_WORDS = {"per-year": "pro Jahr", "per-municipality": "je Kommune", "per-project": "je Projekt"}
UNIT_CODES = {"P1": "%"}  # UN/CEFACT common code P1: percent
_SCALES = ((Decimal(10) ** 9, "Mrd."), (Decimal(10) ** 6, "Mio."))
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Quantity:
    """An ozg:MonetaryAmount or ozg:FundingRate; qualifier and basis are their concepts' skos:notation."""

    value: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    unit: str = ""
    qualifier: str | None = None
    basis: str | None = None
    year: str | None = None
    valid_from: str | None = None
    valid_through: str | None = None


def format_number(number: Decimal) -> str:
    """German digits: 20.000, 7,72 Mio. (a scale only where it stays exact to three decimals)."""
    for scale, name in _SCALES:
        scaled = number / scale
        if abs(number) >= scale and scaled == round(scaled, 3):
            return f"{format_number(scaled)} {name}"
    # decimal_quantization=False: every digit the data gives is shown, none rounded away.
    return format_decimal(number.normalize(), locale="de_DE", decimal_quantization=False)


def _german_date(iso: str) -> str:
    match = _ISO_DATE.fullmatch(iso)
    return f"{match[3]}.{match[2]}.{match[1]}" if match else iso


def format_period(year: str | None, start: str | None, end: str | None) -> str:
    """The period as people write it: 2020, 2021–2022 for whole years, else German dates."""
    if year:
        return year
    if (start is None or start.endswith("-01-01")) and (end is None or end.endswith("-12-31")):
        first, last = start and start[:4], end and end[:4]
    else:
        first, last = start and _german_date(start), end and _german_date(end)
    if first and last:
        return first if first == last else f"{first}–{last}"
    if first:
        return f"ab {first}"
    return f"bis {last}" if last else ""


def format_quantity(quantity: Quantity) -> str:
    """The amount as people read it: bis zu 20.000 EUR je Kommune, 7,72 Mio. EUR 2021–2022."""
    unit = f" {quantity.unit}" if quantity.unit else ""
    low, high = quantity.minimum, quantity.maximum
    if quantity.value is not None:
        words = [_QUALIFIER_WORDS.get(quantity.qualifier or ""), f"{format_number(quantity.value)}{unit}"]
    elif low is not None and high is not None:
        words = [f"{format_number(low)}{unit} bis {format_number(high)}{unit}"]
    elif high is not None:
        words = [f"bis zu {format_number(high)}{unit}"]
    elif low is not None:
        words = [f"mindestens {format_number(low)}{unit}"]
    else:
        return ""
    words += [
        _BASIS_WORDS.get(quantity.basis or ""),
        format_period(quantity.year, quantity.valid_from, quantity.valid_through),
    ]
    return " ".join(word for word in words if word)
