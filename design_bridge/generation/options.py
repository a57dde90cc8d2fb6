"""The option space a design can take, and the rules that say which choices go together.

Drafting options (the keys `design_bridge.draft_order` reads) are kept apart from the look
(colourway and print), which the cutting room does not need. Rules are pairs of choices that
must not meet in one design, each with the reason a pattern maker would give.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from core.errors import InputError

# Drafting options per style (the keys and values `design_bridge.draft_order` accepts).
STYLE_OPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "shirt": {
        "fit": ("slim", "regular", "relaxed"),
        "sleeve": ("short", "long"),
        "collar": ("classic", "button_down", "cutaway", "mandarin"),
        "body": ("men", "women"),
    },
    "trousers": {
        "fit": ("slim", "regular", "relaxed"),
        "leg": ("slim", "straight", "wide"),
        "body": ("men", "women"),
    },
    "skirt": {
        "fit": ("slim", "regular", "relaxed"),
        "length": ("mini", "knee", "midi"),
        "body": ("women", "men"),
    },
    "tshirt": {
        "fit": ("slim", "regular", "relaxed"),
        "sleeve": ("short", "long"),
        "body": ("men", "women"),
    },
}

# Base cloths and the styles each suits (shirting, bottom weights, knit).
FABRIC_STYLES: dict[str, tuple[str, ...]] = {
    "poplin": ("shirt",),
    "oxford": ("shirt",),
    "linen": ("shirt", "trousers", "skirt"),
    "twill": ("trousers", "skirt"),
    "denim": ("trousers", "skirt"),
    "wool": ("trousers", "skirt"),
    "corduroy": ("trousers", "skirt"),
    "jersey": ("tshirt",),
}

# The fabric code a proposal is drafted in: a catalogue cloth of the same weave, width and nap
# (data/fabrics/fabrics.csv); the proposal's own colourway is dyed or printed on it. Linen has
# no catalogue cloth yet: it is drafted under its own name at the default width, and flagged.
FABRIC_CODES: dict[str, str] = {
    "poplin": "POPLIN-WHT",
    "oxford": "OXFORD-WHT",
    "twill": "TWILL-NVY",
    "denim": "DENIM-IND",
    "wool": "WOOL-GRY",
    "corduroy": "CORD-BRN",
    "jersey": "JERSEY-WHT",
}

# Colour names with sRGB values; the trend palette and the print images use these.
COLOURS: dict[str, tuple[int, int, int]] = {
    "white": (244, 244, 240),
    "cream": (238, 226, 196),
    "black": (30, 30, 32),
    "grey": (140, 142, 146),
    "navy": (28, 40, 82),
    "blue": (52, 96, 176),
    "green": (56, 122, 74),
    "red": (184, 40, 44),
    "pink": (232, 150, 176),
    "purple": (110, 62, 140),
    "yellow": (236, 200, 60),
    "orange": (226, 124, 44),
    "brown": (120, 80, 52),
    "gold": (198, 160, 70),
    "silver": (192, 194, 200),
}

PRINTS: tuple[str, ...] = ("solid", "stripe", "check", "dot")
SIZE_BUCKETS: dict[str, float] = {"S": 0.2, "M": 0.35, "L": 0.3, "XL": 0.15}


@dataclass(frozen=True)
class Incompatible:
    """Two choices that must not meet, e.g. ("sleeve", "short"), ("collar", "cutaway")."""

    a: tuple[str, str]
    b: tuple[str, str]
    reason: str


RULES: tuple[Incompatible, ...] = (
    Incompatible(
        ("sleeve", "short"), ("collar", "cutaway"), "a cutaway is a dress collar, long-sleeved"
    ),
    Incompatible(
        ("fabric", "oxford"), ("collar", "mandarin"), "oxford cloth is cut with a turn-down collar"
    ),
    Incompatible(("fit", "slim"), ("leg", "wide"), "a slim seat over a wide leg breaks the line"),
    Incompatible(("fit", "relaxed"), ("leg", "slim"), "a relaxed seat cannot taper to a slim leg"),
    Incompatible(("fabric", "corduroy"), ("leg", "slim"), "pile cloth bulks at a slim hem"),
    Incompatible(
        ("fabric", "wool"), ("length", "mini"), "a tailored wool skirt stops at the knee or below"
    ),
    Incompatible(("fabric", "denim"), ("fit", "relaxed"), "relaxed denim is not in the range"),
) + tuple(
    Incompatible(("style", style), ("fabric", fabric), f"{fabric} is not a {style} fabric")
    for fabric, styles in FABRIC_STYLES.items()
    for style in STYLE_OPTIONS
    if style not in styles
)


@dataclass(frozen=True)
class Variant:
    """A drafting variant: style, its options and the fabric (what the floor cuts and sews)."""

    style: str
    options: tuple[tuple[str, str], ...]
    fabric: str

    def choices(self) -> dict[str, str]:
        return {"style": self.style, "fabric": self.fabric, **dict(self.options)}

    @property
    def key(self) -> str:
        opts = ",".join(f"{k}={v}" for k, v in self.options)
        return f"{self.style}[{opts}]/{self.fabric}"


def violations(choices: dict[str, str]) -> list[str]:
    """Every rule and domain a set of choices breaks, in words; empty when it is valid."""
    problems: list[str] = []
    style = choices.get("style")
    if style not in STYLE_OPTIONS:
        return [f"unknown style {style!r}; expected one of {', '.join(STYLE_OPTIONS)}"]
    domains = STYLE_OPTIONS[style]
    for key, values in domains.items():
        if choices.get(key) not in values:
            problems.append(f"{style} option {key}={choices.get(key)!r}; expected one of {values}")
    extra = set(choices) - set(domains) - {"style", "fabric"}
    if extra:
        problems.append(f"{style} has no option(s) {', '.join(sorted(extra))}")
    if choices.get("fabric") not in FABRIC_STYLES:
        problems.append(f"unknown fabric {choices.get('fabric')!r}")
    for rule in RULES:
        if choices.get(rule.a[0]) == rule.a[1] and choices.get(rule.b[0]) == rule.b[1]:
            problems.append(f"{rule.a[0]}={rule.a[1]} with {rule.b[0]}={rule.b[1]}: {rule.reason}")
    return problems


def check_variant(variant: Variant) -> None:
    problems = violations(variant.choices())
    if problems:
        raise InputError(f"design {variant.key} breaks: {'; '.join(problems)}")


def all_variants(styles: tuple[str, ...] | None = None) -> list[Variant]:
    """Every valid drafting variant, in a stable order (the catalogue the search walks)."""
    out: list[Variant] = []
    for style in styles or tuple(STYLE_OPTIONS):
        domains = STYLE_OPTIONS[style]
        for values in itertools.product(*domains.values()):
            options = tuple(zip(domains, values, strict=True))
            for fabric in FABRIC_STYLES:
                variant = Variant(style, options, fabric)
                if not violations(variant.choices()):
                    out.append(variant)
    return out
