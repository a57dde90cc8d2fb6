"""Derive Atelier's measurement ranges, size tables and derivations from ANSUR II.

Run from the repository root:

    python -m design_bridge.tools.make_size_tables

It reads data/ansur2/*.csv (millimetres) and writes, in centimetres, to data/size_tables/:

- ranges.json: plausible range per measurement: the 0.1th..99.9th percentile of men and women
  together, widened by RANGE_MARGIN on each side.
- men.csv, women.csv: size tables with linear grading (Seamly2D-style base size + increment):
  base size M holds the medians; every measurement grows by its regression slope on chest times
  the chest step between sizes.
- grading.png: the graded sizes drawn over the bodies (chest against waist and height).
- derivations.json: least-squares coefficients to derive a missing measurement from the ones a
  style must have (height and the style's key girths), plus waist height for the trouser rise.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
ANSUR = ROOT / "data" / "ansur2"
OUT = ROOT / "data" / "size_tables"

# Atelier name -> ANSUR II column (mm). See design_bridge/README.md for why each was chosen.
COLUMNS: dict[str, str] = {
    "height": "stature",
    "neck": "neckcircumferencebase",
    "chest": "chestcircumference",
    "waist": "waistcircumference",
    "hip": "buttockcircumference",
    "shoulder_width": "biacromialbreadth",
    "arm_length": "sleeveoutseam",
    "wrist": "wristcircumference",
    "back_waist_length": "waistbacklength",
    "inseam": "crotchheight",
    "thigh": "thighcircumference",
}
EXTRA_COLUMNS = {"waist_height": "waistheightomphalion"}
DERIVED_ONLY = ("waist_height", "body_rise")  # never on an order; always derived

RANGE_MARGIN = 0.15  # ranges are widened by 15 % of the measured value on each side
SIZES = ("XS", "S", "M", "L", "XL", "XXL", "3XL")
BASE_SIZE = "M"
PREDICTOR_SETS = {"top": ("height", "chest"), "bottom": ("height", "waist", "hip")}


def load_ansur() -> dict[str, pd.DataFrame]:
    """Both ANSUR II files with Atelier's names, in cm."""
    frames = {}
    for body, name in (
        ("men", "ANSUR_II_MALE_Public.csv"),
        ("women", "ANSUR_II_FEMALE_Public.csv"),
    ):
        raw = pd.read_csv(ANSUR / name, encoding="latin-1")
        cols = {**COLUMNS, **EXTRA_COLUMNS}
        frame = pd.DataFrame({k: raw[v] / 10.0 for k, v in cols.items()})
        # body rise: waist (at the omphalion, as ANSUR's waist) down to the crotch
        frame["body_rise"] = frame["waist_height"] - frame["inseam"]
        frames[body] = frame
    return frames


def ranges(all_bodies: pd.DataFrame) -> dict[str, dict[str, float]]:
    out = {}
    for name in COLUMNS:
        lo, hi = np.percentile(all_bodies[name], [0.1, 99.9])
        out[name] = {
            "min": round(float(lo) * (1 - RANGE_MARGIN), 1),
            "max": round(float(hi) * (1 + RANGE_MARGIN), 1),
            "p0_1": round(float(lo), 1),
            "p99_9": round(float(hi), 1),
        }
    return out


def size_table(df: pd.DataFrame) -> pd.DataFrame:
    """Base size M at the medians; chest steps span the 5th..95th percentile over XS..XXL."""
    chest = df["chest"].to_numpy()
    step = round(float(np.percentile(chest, 95) - np.percentile(chest, 5)) / 5, 1)
    base_index = SIZES.index(BASE_SIZE)
    rows = []
    for name in COLUMNS:
        values = df[name].to_numpy()
        slope = float(np.polyfit(chest, values, 1)[0]) if name != "chest" else 1.0
        increment = slope * step
        base = float(np.median(values))
        row = {"measurement": name, "base": round(base, 1), "increment": round(increment, 2)}
        for i, size in enumerate(SIZES):
            row[size] = round(base + (i - base_index) * increment, 1)
        rows.append(row)
    return pd.DataFrame(rows)


def derivations(all_bodies: pd.DataFrame) -> dict[str, dict]:
    """Per predictor set and target: intercept, coefficients and residual standard deviation."""
    out: dict[str, dict] = {}
    targets = [*COLUMNS, *DERIVED_ONLY]
    for key, predictors in PREDICTOR_SETS.items():
        x = np.column_stack([np.ones(len(all_bodies))] + [all_bodies[p] for p in predictors])
        out[key] = {"predictors": list(predictors), "targets": {}}
        for target in targets:
            if target in predictors:
                continue
            y = all_bodies[target].to_numpy()
            coef, *_ = np.linalg.lstsq(x, y, rcond=None)
            resid = float(np.std(y - x @ coef))
            out[key]["targets"][target] = {
                "intercept": round(float(coef[0]), 4),
                "coefficients": {
                    p: round(float(c), 5) for p, c in zip(predictors, coef[1:], strict=True)
                },
                "residual_sd": round(resid, 2),
            }
    return out


def plot_grading(frames: dict[str, pd.DataFrame], path: Path) -> None:
    """The graded sizes over the ANSUR II bodies they stand for: chest against waist and height."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for (body, df), colour in zip(frames.items(), ("tab:blue", "tab:red"), strict=True):
        table = size_table(df).set_index("measurement")
        for ax, other in zip(axes, ("waist", "height"), strict=True):
            ax.scatter(df["chest"], df[other], s=2, alpha=0.15, color=colour)
            ax.plot(
                table.loc["chest", list(SIZES)],
                table.loc[other, list(SIZES)],
                "o-",
                color=colour,
                label=f"{body} XS..3XL",
            )
            ax.set_xlabel("chest (cm)")
            ax.set_ylabel(f"{other} (cm)")
    axes[0].legend()
    fig.suptitle("ANSUR II bodies and Atelier's graded sizes")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    frames = load_ansur()
    both = pd.concat(frames.values(), ignore_index=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ranges.json").write_text(json.dumps(ranges(both), indent=2) + "\n")
    for body, df in frames.items():
        size_table(df).to_csv(OUT / f"{body}.csv", index=False)
    (OUT / "derivations.json").write_text(json.dumps(derivations(both), indent=2) + "\n")
    plot_grading(frames, OUT / "grading.png")
    log.info("wrote %s from %d bodies", OUT, len(both))


if __name__ == "__main__":
    main()
