"""Genetic search over the design space under the compatibility rules, then a diverse pick.

A design is style + drafting options + fabric + colourway (ground, accent) + print. Mutation
changes one choice and crossover mixes two parents of the same style; a child that breaks a
rule is discarded, so every design the search holds is valid. The final proposals are picked
greedily: each next one maximises its score plus a diversity bonus proportional to its
smallest share of differing choices against the proposals already picked (a design of
another style counts as wholly different).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from pydantic import BaseModel, Field

from core.errors import InputError
from core.orders import CustomOrder
from design_bridge.generation.costs import DesignCostModel, reference_order
from design_bridge.generation.options import (
    COLOURS,
    FABRIC_STYLES,
    PRINTS,
    STYLE_OPTIONS,
    Variant,
    all_variants,
    violations,
)
from design_bridge.generation.scoring import (
    DemandView,
    PricingSettings,
    ScoreBreakdown,
    score_design,
)

log = logging.getLogger(__name__)

Progress = Callable[[int, int, float], None]
Genome = tuple[tuple[str, str], ...]


class SearchSettings(BaseModel):
    """Genetic search and proposal selection."""

    population: int = Field(60, ge=4, description="Designs held per generation")
    generations: int = Field(40, ge=1, description="Generations to evolve")
    mutation_rate: float = Field(
        0.6, ge=0, le=1, description="Chance a child has one choice changed"
    )
    elite: int = Field(
        6, ge=1, description="Best designs carried unchanged into the next generation"
    )
    proposals: int = Field(8, ge=1, description="Designs proposed at the end")
    diversity_weight: float = Field(
        0.5,
        ge=0,
        description="Bonus for a fully different design, as a share of the best base score",
    )
    styles: list[str] = Field(
        default_factory=lambda: list(STYLE_OPTIONS), description="Styles to search"
    )
    seed: int = Field(0, description="Random seed, so a search can be repeated")


@dataclass
class Proposal:
    """A proposed design: what to draft (style, options, fabric), its look, and why it ranks."""

    style: str
    options: dict[str, str]
    fabric: str
    ground: str
    accent: str
    print: str
    breakdown: ScoreBreakdown
    image: str | None = None

    @property
    def score(self) -> float:
        return self.breakdown.score

    def to_order(self) -> CustomOrder:
        """The design as an order the design bridge drafts as is (reference body, one garment)."""
        return reference_order(self.style, self.options, self.fabric)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["breakdown"] = self.breakdown.to_dict()
        out["score"] = self.score
        return out


@dataclass
class SearchResult:
    proposals: list[Proposal]
    evaluated: int
    generations: int
    seconds: float
    best_by_generation: list[float] = field(default_factory=list)


def _genome(choices: dict[str, str]) -> Genome:
    return tuple(sorted(choices.items()))


def _canonical(choices: dict[str, str]) -> dict[str, str]:
    """A solid has no accent; writing it as the ground keeps one solid from counting as many."""
    if choices["print"] == "solid":
        return {**choices, "accent": choices["ground"]}
    return choices


def _valid(choices: dict[str, str]) -> bool:
    drafting = {k: v for k, v in choices.items() if k not in ("ground", "accent", "print")}
    two_colours = choices["print"] == "solid" or choices["ground"] != choices["accent"]
    return not violations(drafting) and two_colours


class _Search:
    def __init__(
        self,
        demand: DemandView,
        costs: DesignCostModel,
        pricing: PricingSettings,
        settings: SearchSettings,
    ) -> None:
        self.demand, self.costs, self.pricing, self.settings = demand, costs, pricing, settings
        self.rng = random.Random(settings.seed)
        self.cache: dict[Genome, ScoreBreakdown] = {}
        self.colours = sorted(COLOURS)
        unknown = set(settings.styles) - set(STYLE_OPTIONS)
        if unknown:
            raise InputError(
                f"search styles {sorted(unknown)} unknown; expected {list(STYLE_OPTIONS)}"
            )
        self.variants: list[Variant] = all_variants(tuple(settings.styles))

    def random_design(self, style: str) -> dict[str, str]:
        variant = self.rng.choice([v for v in self.variants if v.style == style])
        ground, accent = self.rng.sample(self.colours, 2)
        design = {**variant.choices(), "ground": ground, "accent": accent}
        return _canonical({**design, "print": self.rng.choice(PRINTS)})

    def evaluate(self, choices: dict[str, str]) -> ScoreBreakdown:
        key = _genome(choices)
        if key not in self.cache:
            style = choices["style"]
            options = {k: choices[k] for k in STYLE_OPTIONS[style]}
            self.cache[key] = score_design(
                style,
                options,
                choices["fabric"],
                (choices["ground"], choices["accent"]),
                choices["print"],
                self.demand,
                self.costs,
                self.pricing,
            )
        return self.cache[key]

    def mutate(self, choices: dict[str, str]) -> dict[str, str]:
        child = dict(choices)
        keys = [*STYLE_OPTIONS[child["style"]], "fabric", "ground", "accent", "print"]
        key = self.rng.choice(keys)
        if key == "fabric":
            child[key] = self.rng.choice(
                [f for f, s in FABRIC_STYLES.items() if child["style"] in s]
            )
        elif key in ("ground", "accent"):
            child[key] = self.rng.choice(self.colours)
        elif key == "print":
            child[key] = self.rng.choice(PRINTS)
        else:
            child[key] = self.rng.choice(STYLE_OPTIONS[child["style"]][key])
        return child

    def crossover(self, a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
        if a["style"] != b["style"]:
            return dict(self.rng.choice((a, b)))
        return {k: self.rng.choice((a[k], b[k])) for k in a}

    def tournament(self, population: list[dict[str, str]]) -> dict[str, str]:
        a, b = self.rng.sample(population, 2)
        return a if self.evaluate(a).base >= self.evaluate(b).base else b


def _distance(a: dict[str, str], b: dict[str, str]) -> float:
    """Share of differing choices; another style is a wholly different garment."""
    if a["style"] != b["style"]:
        return 1.0
    keys = set(a) - {"style"}
    return sum(a[k] != b[k] for k in keys) / len(keys)


def search_designs(
    demand: DemandView,
    costs: DesignCostModel,
    pricing: PricingSettings | None = None,
    settings: SearchSettings | None = None,
    progress: Progress | None = None,
) -> SearchResult:
    """Evolve valid designs, then pick `settings.proposals` of them, scored and diverse."""
    pricing = pricing or PricingSettings()
    settings = settings or SearchSettings()
    s = _Search(demand, costs, pricing, settings)
    t0 = time.perf_counter()
    best: list[float] = []
    # One niche per style, so a style with fewer options cannot crowd the others out.
    for n, style in enumerate(settings.styles):
        best += _evolve(s, style, settings, progress, n * settings.generations)
    proposals = _pick_diverse(s, settings)
    if progress:
        progress(len(best), len(best), max(best))
    seconds = time.perf_counter() - t0
    log.info(
        "design search: %d designs scored in %.1f s, best base score %.1f",
        len(s.cache),
        seconds,
        proposals[0].breakdown.base if proposals else 0.0,
    )
    return SearchResult(proposals, len(s.cache), len(best), seconds, best)


def _evolve(
    s: _Search, style: str, settings: SearchSettings, progress: Progress | None, done: int
) -> list[float]:
    total = settings.generations * len(settings.styles)
    population = [s.random_design(style) for _ in range(settings.population)]
    best: list[float] = []
    for generation in range(settings.generations):
        population.sort(key=lambda c: s.evaluate(c).base, reverse=True)
        best.append(s.evaluate(population[0]).base)
        if progress:
            progress(done + generation, total, best[-1])
        children = population[: settings.elite]
        tries = 0
        while len(children) < settings.population and tries < 50 * settings.population:
            tries += 1
            child = s.crossover(s.tournament(population), s.tournament(population))
            if s.rng.random() < settings.mutation_rate:
                child = s.mutate(child)
            child = _canonical(child)
            if _valid(child):
                children.append(child)
        population = children
    return best


def _pick_diverse(s: _Search, settings: SearchSettings) -> list[Proposal]:
    scored = sorted(s.cache.items(), key=lambda kv: kv[1].base, reverse=True)
    if not scored:
        return []
    # The best of every style stay candidates, however far one style leads.
    per_style = max(10 * settings.proposals, 50)
    pool = [
        item
        for style in settings.styles
        for item in [kv for kv in scored if dict(kv[0])["style"] == style][:per_style]
    ]
    scale = settings.diversity_weight * abs(scored[0][1].base)
    picked: list[tuple[dict[str, str], ScoreBreakdown]] = []
    while pool and len(picked) < settings.proposals:

        def total(item: tuple[Genome, ScoreBreakdown]) -> float:
            bonus = min((_distance(dict(item[0]), p) for p, _ in picked), default=1.0)
            return item[1].base + scale * bonus

        choice = max(pool, key=total)
        pool.remove(choice)
        choices = dict(choice[0])
        bonus = scale * min((_distance(choices, p) for p, _ in picked), default=1.0)
        breakdown = ScoreBreakdown(**{**asdict(choice[1]), "diversity": bonus})
        picked.append((choices, breakdown))
    return [
        Proposal(
            style=c["style"],
            options={k: c[k] for k in STYLE_OPTIONS[c["style"]]},
            fabric=c["fabric"],
            ground=c["ground"],
            accent=c["accent"],
            print=c["print"],
            breakdown=b,
        )
        for c, b in picked
    ]
