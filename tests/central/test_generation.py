import io
import itertools

import numpy as np
import pytest
from PIL import Image

from core.errors import InputError
from core.orders import CustomOrder
from design_bridge.generation.costs import TableCostModel
from design_bridge.generation.image import swatch, write_swatch
from design_bridge.generation.options import (
    COLOURS,
    FABRIC_STYLES,
    PRINTS,
    RULES,
    STYLE_OPTIONS,
    Variant,
    all_variants,
    check_variant,
    violations,
)
from design_bridge.generation.scoring import DemandView, PricingSettings, score_design
from design_bridge.generation.search import SearchSettings, search_designs

DEMAND = DemandView(
    style={"shirt": 900.0, "trousers": 500.0, "skirt": 400.0, "tshirt": 700.0},
    option={
        "fit=slim": 300.0,
        "fit=regular": 600.0,
        "sleeve=long": 500.0,
        "length=knee": 200.0,
        "length=midi": 100.0,
        "collar=mandarin": 400.0,
    },
    fabric={"linen": 300.0, "twill": 100.0, "poplin": 250.0, "jersey": 700.0},
    colour_share={"navy": 0.5, "white": 0.3, "red": 0.2},
)


def test_every_catalogue_variant_obeys_the_rules():
    variants = all_variants()
    assert {v.style for v in variants} == set(STYLE_OPTIONS)
    for variant in variants:
        assert violations(variant.choices()) == []
    # The catalogue is exactly the valid part of the full product of choices.
    total = sum(
        len(FABRIC_STYLES) * int(np.prod([len(v) for v in opts.values()]))
        for opts in STYLE_OPTIONS.values()
    )
    assert len(variants) < total


def test_each_rule_is_enforced():
    for rule in RULES:
        for variant in all_variants():
            choices = variant.choices()
            if choices.get(rule.a[0]) == rule.a[1]:
                assert choices.get(rule.b[0]) != rule.b[1], rule


def test_violations_explain_what_is_wrong():
    bad = Variant(
        "shirt",
        (("fit", "slim"), ("sleeve", "short"), ("collar", "cutaway"), ("body", "men")),
        "jersey",
    )
    problems = violations(bad.choices())
    assert any("a cutaway is a dress collar" in p for p in problems)
    assert any("jersey is not a shirt fabric" in p for p in problems)
    with pytest.raises(InputError, match="breaks"):
        check_variant(bad)
    assert violations({"style": "kilt"})[0].startswith("unknown style")
    assert any(
        "no option(s) leg" in p
        for p in violations(
            {"style": "skirt", "fit": "slim", "length": "knee", "leg": "wide", "fabric": "linen"}
        )
    )


def test_score_breakdown_adds_up():
    pricing = PricingSettings()
    costs = TableCostModel()
    options = {"fit": "regular", "length": "knee"}
    b = score_design("skirt", options, "linen", ("navy", "white"), "stripe", DEMAND, costs, pricing)
    # units = style x share(fit=regular among fit) x share(knee among lengths) x fabric share
    # x colourway (0.75 ground + 0.25 accent).
    fit = 600 / 900
    length = 200 / 300
    fabric = 300 / 400  # linen, twill are the skirt fabrics with demand (denim, flannel: 0)
    colour = 0.75 * 0.5 + 0.25 * 0.3
    assert b.expected_units == pytest.approx(400 * fit * length * fabric * colour)
    smv = costs.smv_minutes("skirt", options)
    area = costs.fabric_area_m2("skirt", options)
    assert b.sewing_cost == pytest.approx(b.expected_units * smv * pricing.labour_rate_per_minute)
    assert b.fabric_cost == pytest.approx(
        b.expected_units * area / pricing.marker_efficiency * pricing.fabric_price_per_m2["linen"]
    )
    assert b.score == pytest.approx(
        b.expected_units * pricing.margin_per_garment["skirt"] - b.sewing_cost - b.fabric_cost
    )


def test_search_finds_the_exhaustive_best_and_proposes_valid_orders():
    pricing = PricingSettings()
    costs = TableCostModel()
    settings = SearchSettings(population=30, generations=25, proposals=5, styles=["skirt"], seed=4)
    result = search_designs(DEMAND, costs, pricing, settings)
    best = max(
        score_design("skirt", dict(v.options), v.fabric, (g, a), p, DEMAND, costs, pricing).base
        for v in all_variants(("skirt",))
        for g, a in itertools.product(COLOURS, COLOURS)
        for p in PRINTS
        if (p == "solid") == (g == a)
    )
    assert max(p.breakdown.base for p in result.proposals) == pytest.approx(best)
    keys = set()
    for proposal in result.proposals:
        assert (
            violations({"style": proposal.style, "fabric": proposal.fabric, **proposal.options})
            == []
        )
        assert isinstance(proposal.to_order(), CustomOrder)
        assert proposal.to_dict()["breakdown"]["score"] == pytest.approx(proposal.score)
        keys.add(
            (
                proposal.fabric,
                proposal.ground,
                proposal.accent,
                proposal.print,
                tuple(sorted(proposal.options.items())),
            )
        )
    assert len(keys) == len(result.proposals)  # no design proposed twice


def test_diversity_spreads_proposals_over_styles():
    settings = SearchSettings(population=20, generations=10, proposals=4, diversity_weight=5.0)
    result = search_designs(DEMAND, TableCostModel(), settings=settings)
    assert len({p.style for p in result.proposals}) == 4
    assert all(p.breakdown.diversity > 0 for p in result.proposals)


def test_proposals_draft_with_the_design_bridge():
    draft_order = pytest.importorskip("design_bridge").__dict__.get("draft_order")
    if draft_order is None:
        pytest.skip("design_bridge.draft_order is not in this build yet")
    from design_bridge.generation.costs import DraftingCostModel, reference_order

    for variant in all_variants():
        drafted = draft_order(reference_order(variant.style, dict(variant.options), variant.fabric))
        assert drafted.pieces, variant.key
    settings = SearchSettings(population=12, generations=4, proposals=8, seed=1)
    result = search_designs(DEMAND, DraftingCostModel(), settings=settings)
    for proposal in result.proposals:
        draft_order(proposal.to_order())
        assert proposal.breakdown.smv_minutes > 0 and proposal.breakdown.fabric_area_m2 > 0


def test_swatches():
    solid = swatch("navy", "navy", "solid", size=64)
    assert solid.shape == (64, 64, 3) and solid.dtype == np.uint8
    assert np.abs(solid.mean(axis=(0, 1)) - COLOURS["navy"]).max() < 4
    stripe = swatch("white", "red", "stripe", size=64)
    reds = (np.abs(stripe.astype(int) - COLOURS["red"]).sum(axis=2) < 30).mean()
    assert 0.15 < reds < 0.5
    with pytest.raises(InputError, match="unknown colour 'teal'"):
        swatch("teal", "red", "dot")
    with pytest.raises(InputError, match="unknown print"):
        swatch("red", "white", "paisley")


def test_swatch_png_round_trip(tmp_path):
    path = write_swatch(tmp_path / "a" / "p.png", "cream", "green", "check", size=48)
    image = Image.open(io.BytesIO(path.read_bytes()))
    assert image.format == "PNG" and image.size == (48, 48)
