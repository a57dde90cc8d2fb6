"""The proxy that turns retail items and customers into Atelier's attributes.

The UCI retailer sells gift-ware, not garments, so this mapping is a stand-in until the store's
own orders flow in. What is real: which customer bought which item when, and the colour words in
item descriptions. What is assigned: each item's drafting variant (style, options, fabric), picked
by a stable hash of its stock code from the valid catalogue, and each customer's size bucket,
picked by a stable hash of the customer id with the shares in SIZE_BUCKETS.
"""

from __future__ import annotations

import re
import zlib

import pandas as pd

from design_bridge.generation.options import SIZE_BUCKETS, Variant, all_variants

# Words in retail descriptions that name a colour in COLOURS.
_COLOUR_WORDS = {
    "WHITE": "white",
    "IVORY": "cream",
    "CREAM": "cream",
    "BLACK": "black",
    "GREY": "grey",
    "NAVY": "navy",
    "BLUE": "blue",
    "GREEN": "green",
    "RED": "red",
    "PINK": "pink",
    "PURPLE": "purple",
    "YELLOW": "yellow",
    "ORANGE": "orange",
    "BROWN": "brown",
    "GOLD": "gold",
    "SILVER": "silver",
    "CHOCOLATE": "brown",
    "LILAC": "purple",
}
_WORD = re.compile(r"[A-Z]+")


def _stable(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def colour_of(description: str) -> str:
    """The first colour word in a description, or "multi" when it names none."""
    for word in _WORD.findall(description.upper()):
        if word in _COLOUR_WORDS:
            return _COLOUR_WORDS[word]
    return "multi"


def variant_of(item: str, catalogue: list[Variant]) -> Variant:
    return catalogue[_stable(item) % len(catalogue)]


def size_bucket_of(customer: int) -> str:
    share = (_stable(str(customer)) % 10_000) / 10_000
    edge = 0.0
    for bucket, weight in SIZE_BUCKETS.items():
        edge += weight
        if share < edge:
            return bucket
    return next(reversed(SIZE_BUCKETS))


def item_attributes(items: pd.DataFrame) -> pd.DataFrame:
    """Per item (columns item, description): style, fabric, colour and one column per option."""
    catalogue = all_variants()
    rows = []
    for item, description in zip(items["item"], items["description"], strict=True):
        variant = variant_of(str(item), catalogue)
        rows.append(
            {
                "item": item,
                "style": variant.style,
                "fabric": variant.fabric,
                "colour": colour_of(description),
                "variant": variant.key,
                **{f"option:{k}={v}": 1 for k, v in variant.options},
            }
        )
    return pd.DataFrame(rows)


def orders_from_transactions(df: pd.DataFrame) -> pd.DataFrame:
    """Transactions as Atelier-like order lines (date, style, options, fabric, colour, size)."""
    descriptions = df.drop_duplicates("item")[["item", "description"]]
    catalogue = all_variants()
    variants = {i: variant_of(str(i), catalogue) for i in descriptions["item"]}
    colours = {
        i: colour_of(d)
        for i, d in zip(descriptions["item"], descriptions["description"], strict=True)
    }
    return pd.DataFrame(
        {
            "date": df["time"].to_numpy(),
            "style": [variants[i].style for i in df["item"]],
            "options": [dict(variants[i].options) for i in df["item"]],
            "fabric": [variants[i].fabric for i in df["item"]],
            "colour": [colours[i] for i in df["item"]],
            "size": [size_bucket_of(c) for c in df["customer"]],
            "quantity": 1,
        }
    )
