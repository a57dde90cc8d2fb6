"""The score of a design: expected demand x margin - sewing cost - fabric cost (+ diversity).

Expected garments of a design = the style's expected demand x the share of each chosen option
value among that option's values x the fabric's share among the style's fabrics x the colourway's
trend share (the ground's, with ACCENT_WEIGHT of the accent's for a print). It treats
attributes as independent, which is what the demand outlook can support; the breakdown keeps
every factor so a planner can see why a design ranks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from pydantic import BaseModel, Field

from core.errors import InputError
from design_bridge.generation.costs import DesignCostModel
from design_bridge.generation.options import FABRIC_STYLES, STYLE_OPTIONS

ACCENT_WEIGHT = 0.25


class PricingSettings(BaseModel):
    """Money side of the score; all amounts in the plant's currency."""

    margin_per_garment: dict[str, float] = Field(
        default_factory=lambda: {"shirt": 38.0, "trousers": 42.0, "skirt": 30.0, "tshirt": 16.0},
        description="Selling price minus trims, packing and overhead, per style",
    )
    labour_rate_per_minute: float = Field(
        0.40, gt=0, description="Sewing labour cost per SMV minute"
    )
    fabric_price_per_m2: dict[str, float] = Field(
        default_factory=lambda: {
            "poplin": 6.5,
            "oxford": 7.0,
            "linen": 11.0,
            "twill": 8.0,
            "denim": 9.0,
            "wool": 16.0,
            "corduroy": 10.0,
            "jersey": 5.5,
        },
        description="Fabric price per square metre, by fabric code",
    )
    marker_efficiency: float = Field(
        0.80, gt=0.3, le=1.0, description="Share of the marker's area the pieces use (nesting)"
    )
    colour_floor: float = Field(
        0.02, ge=0, le=1, description="Trend share given to a colour that is not in the palette"
    )


@dataclass(frozen=True)
class DemandView:
    """Expected garments per attribute value over the horizon, as the demand outlook gives them."""

    style: dict[str, float]
    option: dict[str, float]
    fabric: dict[str, float]
    colour_share: dict[str, float]

    def units(
        self,
        style: str,
        options: dict[str, str],
        fabric: str,
        colourway: tuple[str, str],
        print_name: str,
        colour_floor: float,
    ) -> tuple[float, dict[str, float]]:
        factors: dict[str, float] = {"style_units": self.style.get(style, 0.0)}
        for key, value in options.items():
            values = STYLE_OPTIONS[style][key]
            total = sum(self.option.get(f"{key}={v}", 0.0) for v in values)
            factors[f"share {key}={value}"] = (
                self.option.get(f"{key}={value}", 0.0) / total if total > 0 else 1.0 / len(values)
            )
        fabrics = [f for f, styles in FABRIC_STYLES.items() if style in styles]
        total = sum(self.fabric.get(f, 0.0) for f in fabrics)
        factors[f"share fabric={fabric}"] = (
            self.fabric.get(fabric, 0.0) / total if total > 0 else 1.0 / len(fabrics)
        )
        ground, accent = colourway
        ground_share = self.colour_share.get(ground, colour_floor)
        # A print shows its accent too; a solid is its ground colour alone.
        accent_weight = 0.0 if print_name == "solid" else ACCENT_WEIGHT
        factors[f"colourway {ground}/{accent}"] = (1 - accent_weight) * ground_share + (
            accent_weight * self.colour_share.get(accent, colour_floor)
        )
        units = 1.0
        for value in factors.values():
            units *= value
        return units, factors


@dataclass
class ScoreBreakdown:
    """Every term of a design's score, per horizon; `score` = units x margin - costs + diversity."""

    expected_units: float
    margin: float
    sewing_cost: float
    fabric_cost: float
    diversity: float
    smv_minutes: float
    fabric_area_m2: float
    factors: dict[str, float]

    @property
    def base(self) -> float:
        return self.margin - self.sewing_cost - self.fabric_cost

    @property
    def score(self) -> float:
        return self.base + self.diversity

    def to_dict(self) -> dict:
        out = asdict(self)
        out["score"] = self.score
        return out


def score_design(
    style: str,
    options: dict[str, str],
    fabric: str,
    colourway: tuple[str, str],
    print_name: str,
    demand: DemandView,
    costs: DesignCostModel,
    pricing: PricingSettings,
) -> ScoreBreakdown:
    """Score one design without the diversity term (it depends on the other proposals)."""
    if style not in pricing.margin_per_garment:
        raise InputError(f"pricing has no margin for style {style!r}")
    if fabric not in pricing.fabric_price_per_m2:
        raise InputError(f"pricing has no price for fabric {fabric!r}")
    units, factors = demand.units(
        style, options, fabric, colourway, print_name, pricing.colour_floor
    )
    smv = costs.smv_minutes(style, options)
    area = costs.fabric_area_m2(style, options)
    fabric_per_garment = area / pricing.marker_efficiency * pricing.fabric_price_per_m2[fabric]
    return ScoreBreakdown(
        expected_units=units,
        margin=units * pricing.margin_per_garment[style],
        sewing_cost=units * smv * pricing.labour_rate_per_minute,
        fabric_cost=units * fabric_per_garment,
        diversity=0.0,
        smv_minutes=smv,
        fabric_area_m2=area,
        factors=factors,
    )


def demand_view(lines: list, palette: list) -> DemandView:
    """Build the view from DemandOutlook lines (attribute, value, expected) and a trend palette."""
    by: dict[str, dict[str, float]] = {"style": {}, "option": {}, "fabric": {}}
    for line in lines:
        if line.attribute in by:
            by[line.attribute][line.value] = float(line.expected)
    if not by["style"]:
        raise InputError("the demand outlook has no style lines; cannot score designs")
    shares = {c.name: float(c.forecast_share) for c in palette}
    return DemandView(by["style"], by["option"], by["fabric"], shares)
