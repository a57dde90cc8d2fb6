"""The fabric_stain data set shipped under data/: items, groups of augmented copies, CV folds."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "data" / "fabric_stain"


@dataclass(frozen=True)
class Item:
    path: Path
    label: int  # 1 = stain, 0 = defect-free
    group: str  # the original image; augmented copies share their original's group
    original: bool


def load_items(root: Path = DATA_DIR) -> list[Item]:
    """All images of labels.csv, with byte-identical duplicates dropped so none is counted twice."""
    items: list[Item] = []
    seen: set[str] = set()
    with open(root / "labels.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            rel = row["images"].removeprefix("data/")
            path = root / rel
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            kind = path.parent.name
            stem = path.stem
            label = 1 if kind == "stain" else 0
            group = f"{kind}/{stem.split('_')[0]}"
            items.append(Item(path, label, group, original="_" not in stem))
    items.sort(key=lambda it: str(it.path))
    return items


def folds(
    items: list[Item], n_splits: int = 5, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds grouped by original image: a copy never sits on the other side."""
    from sklearn.model_selection import StratifiedGroupKFold

    labels = np.array([it.label for it in items])
    groups = np.array([it.group for it in items])
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(items)), labels, groups))
