"""Style options: the allowed values per style, their defaults, and the fit-ease table."""

from __future__ import annotations

from core.errors import InputError
from core.orders import CustomOrder

# style -> option -> allowed values; the first value is the default.
STYLE_OPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "shirt": {
        "fit": ("regular", "slim", "relaxed"),
        "sleeve": ("long", "short"),
        "collar": ("classic", "button_down", "cutaway", "mandarin"),
        "body": ("men", "women"),
    },
    "trousers": {
        "fit": ("regular", "slim", "relaxed"),
        "leg": ("straight", "slim", "wide"),
        "body": ("men", "women"),
    },
    "skirt": {
        "fit": ("regular", "slim", "relaxed"),
        "length": ("knee", "mini", "midi"),
        "body": ("women", "men"),
    },
    "tshirt": {
        "fit": ("regular", "slim", "relaxed"),
        "sleeve": ("short", "long"),
        "body": ("men", "women"),
    },
}

# Ease in cm (finished garment girth minus body girth): style -> fit -> girth -> (target, min, max).
# Targets follow Aldrich's block ease for wovens; knits (tshirt) carry less because they stretch.
EASE: dict[str, dict[str, dict[str, tuple[float, float, float]]]] = {
    "shirt": {
        "slim": {"chest": (8, 5, 12), "waist": (8, 4, 20), "hip": (6, 3, 16)},
        "regular": {"chest": (12, 8, 18), "waist": (14, 8, 28), "hip": (10, 5, 22)},
        "relaxed": {"chest": (18, 14, 26), "waist": (22, 14, 36), "hip": (16, 10, 30)},
    },
    "tshirt": {
        "slim": {"chest": (2, 0, 6), "waist": (4, 0, 16), "hip": (4, 0, 14)},
        "regular": {"chest": (6, 3, 10), "waist": (8, 3, 22), "hip": (8, 3, 20)},
        "relaxed": {"chest": (12, 8, 18), "waist": (14, 8, 30), "hip": (14, 8, 28)},
    },
    "trousers": {
        "slim": {"waist": (2, 0, 4), "hip": (4, 2, 8), "thigh": (5, 2, 12)},
        "regular": {"waist": (2, 0, 4), "hip": (6, 3, 10), "thigh": (8, 4, 16)},
        "relaxed": {"waist": (2, 0, 4), "hip": (10, 6, 16), "thigh": (12, 6, 22)},
    },
    "skirt": {
        "slim": {"waist": (2, 0, 4), "hip": (3, 2, 6)},
        "regular": {"waist": (2, 0, 4), "hip": (5, 3, 8)},
        "relaxed": {"waist": (2, 0, 4), "hip": (8, 5, 12)},
    },
}


def resolve_options(order: CustomOrder) -> dict[str, str]:
    """The order's options with defaults filled in; InputError names an unknown key or value."""
    allowed = STYLE_OPTIONS.get(order.style)
    if allowed is None:
        raise InputError(
            f"order {order.order_id}: style {order.style!r} is not known "
            f"({', '.join(STYLE_OPTIONS)})"
        )
    resolved = {key: values[0] for key, values in allowed.items()}
    for key, value in order.options.items():
        if key not in allowed:
            raise InputError(
                f"order {order.order_id}: option {key!r} does not apply to style {order.style} "
                f"(options: {', '.join(allowed)})"
            )
        if value not in allowed[key]:
            raise InputError(
                f"order {order.order_id}: option {key}={value!r} is not one of "
                f"{', '.join(allowed[key])}"
            )
        resolved[key] = value
    return resolved


def ease(style: str, fit: str, girth: str) -> float:
    """Target ease in cm for a girth."""
    return float(EASE[style][fit][girth][0])
