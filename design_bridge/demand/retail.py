"""Customer interactions: loading the UCI Online Retail transactions and the time split.

The time split is the only thing between an honest and a flattering evaluation, so it is one
function: training sees rows strictly before the split time; the test holds, per training
customer, the items they bought on or after it that they had not bought before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from core.errors import InputError

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "online_retail"
DEFAULT_TRANSACTIONS = DATA_DIR / "online_retail_uci_2010_2011.csv.gz"
DEFAULT_SPLIT = pd.Timestamp("2011-10-01")

_COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice")


def load_transactions(path: Path | str = DEFAULT_TRANSACTIONS) -> pd.DataFrame:
    """Purchases with a customer: columns customer, item, description, quantity, price, time."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"transactions file {path} does not exist")
    try:
        raw = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": "Int64"})
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"transactions file {path} is not a readable CSV: {exc}") from exc
    missing = [c for c in (*_COLUMNS, "CustomerID") if c not in raw.columns]
    if missing:
        raise InputError(f"transactions file {path} lacks column(s) {', '.join(missing)}")
    raw["InvoiceDate"] = pd.to_datetime(raw["InvoiceDate"], errors="coerce", format="ISO8601")
    bad = raw.index[raw["InvoiceDate"].isna()]
    if len(bad):
        raise InputError(
            f"transactions file {path}: unreadable InvoiceDate on line(s) "
            f"{', '.join(str(i + 2) for i in bad[:5])}"
        )
    keep = raw["CustomerID"].notna() & ~raw["InvoiceNo"].str.startswith("C") & (raw["Quantity"] > 0)
    df = raw.loc[keep]
    out = pd.DataFrame(
        {
            "customer": df["CustomerID"].astype("int64"),
            "item": df["StockCode"].astype(str),
            "description": df["Description"].fillna("").astype(str),
            "quantity": df["Quantity"].astype("int64"),
            "price": df["UnitPrice"].astype(float),
            "time": df["InvoiceDate"],
        }
    ).reset_index(drop=True)
    log.info("loaded %d purchase lines from %s", len(out), path.name)
    return out


# How much each kind of store interaction says about a customer's taste; a return takes back
# its order. Views are weak evidence: a tenth of an order.
INTERACTION_WEIGHTS: dict[str, float] = {"order": 1.0, "view": 0.1, "return": -1.0}


def store_interactions(events: pd.DataFrame) -> pd.DataFrame:
    """The store's interactions (customer, item, kind, time) as weighted rows for `time_split`."""
    missing = {"customer", "item", "kind", "time"} - set(events.columns)
    if missing:
        raise InputError(f"store interactions lack column(s) {', '.join(sorted(missing))}")
    bad = events.index[~events["kind"].isin(list(INTERACTION_WEIGHTS))]
    if len(bad):
        raise InputError(
            f"store interaction row {bad[0]}: kind {events.loc[bad[0], 'kind']!r} is not one of "
            f"{', '.join(INTERACTION_WEIGHTS)}"
        )
    out = events.copy()
    out["time"] = pd.to_datetime(out["time"])
    out["weight"] = out["kind"].map(INTERACTION_WEIGHTS).astype(float)
    if "description" not in out.columns:
        out["description"] = ""
    return out


def subsample_customers(df: pd.DataFrame, max_customers: int, seed: int = 0) -> pd.DataFrame:
    """Keep a random subset of customers with all their rows (tests and quick runs)."""
    customers = df["customer"].unique()
    if max_customers >= len(customers):
        return df
    chosen = np.random.default_rng(seed).choice(customers, size=max_customers, replace=False)
    return df[df["customer"].isin(chosen)].reset_index(drop=True)


@dataclass
class TimeSplit:
    """Training matrix (customers x items, purchase-line counts) and the held-out test."""

    split_time: pd.Timestamp
    train: pd.DataFrame
    test: pd.DataFrame
    customers: np.ndarray
    items: np.ndarray
    matrix: sparse.csr_matrix
    relevant: dict[int, set[int]]

    @property
    def train_weeks(self) -> float:
        span = self.split_time - self.train["time"].min()
        return max(span / pd.Timedelta(weeks=1), 1.0)

    @property
    def test_weeks(self) -> float:
        if self.test.empty:
            return 0.0
        span = self.test["time"].max() - self.split_time
        return max(span / pd.Timedelta(weeks=1), 1.0)


def time_split(df: pd.DataFrame, split_time: pd.Timestamp | str = DEFAULT_SPLIT) -> TimeSplit:
    """Split purchases at `split_time`; test = new (customer, item) pairs of training customers."""
    split_time = pd.Timestamp(split_time)
    train = df[df["time"] < split_time]
    later = df[df["time"] >= split_time]
    if train.empty:
        raise InputError(f"no purchases before the split time {split_time:%Y-%m-%d}")
    if later.empty:
        raise InputError(f"no purchases on or after the split time {split_time:%Y-%m-%d}")
    customers = np.sort(train["customer"].unique())
    items = np.sort(train["item"].unique())
    c_index = pd.Index(customers)
    i_index = pd.Index(items)
    if "weight" in train.columns:
        counts = train.groupby(["customer", "item"])["weight"].sum()
        counts = counts[counts > 0]  # returned in full, or too little evidence
    else:
        counts = train.groupby(["customer", "item"]).size()
    rows = c_index.get_indexer(counts.index.get_level_values(0))
    cols = i_index.get_indexer(counts.index.get_level_values(1))
    matrix = sparse.csr_matrix(
        (counts.to_numpy(dtype=np.float32), (rows, cols)), shape=(len(customers), len(items))
    )
    if "kind" in later.columns:
        later = later[later["kind"] == "order"]  # what is predicted is what gets ordered
    # Only customers and items the model could know; pairs already bought are not "new".
    test = later[later["customer"].isin(c_index) & later["item"].isin(i_index)]
    seen = set(zip(train["customer"], train["item"], strict=True))
    new_mask = [(c, i) not in seen for c, i in zip(test["customer"], test["item"], strict=True)]
    test = test[np.asarray(new_mask, dtype=bool)].reset_index(drop=True)
    relevant: dict[int, set[int]] = {}
    for c, i in zip(
        c_index.get_indexer(test["customer"]), i_index.get_indexer(test["item"]), strict=True
    ):
        relevant.setdefault(int(c), set()).add(int(i))
    log.info(
        "time split at %s: %d customers x %d items in training, %d test customers",
        split_time.date(),
        len(customers),
        len(items),
        len(relevant),
    )
    return TimeSplit(split_time, train, test, customers, items, matrix, relevant)
