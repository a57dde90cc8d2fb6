import numpy as np
import pandas as pd
import pytest

from core.errors import InputError
from design_bridge.demand.retail import load_transactions, time_split


def _frame(rows):
    return pd.DataFrame(rows, columns=["customer", "item", "time"]).assign(
        time=lambda d: pd.to_datetime(d["time"]), description="", quantity=1, price=1.0
    )


def test_split_by_hand():
    df = _frame(
        [
            (1, "A", "2011-01-01"),
            (1, "B", "2011-02-01"),
            (2, "A", "2011-01-05"),
            (1, "A", "2011-03-02"),  # a repeat: not new, not in the test
            (1, "C", "2011-03-03"),  # unknown item in training: the model cannot rank it
            (2, "B", "2011-03-04"),  # new pair: the test
            (3, "A", "2011-03-05"),  # new customer: cannot be scored
        ]
    )
    split = time_split(df, "2011-03-01")
    assert list(split.customers) == [1, 2]
    assert list(split.items) == ["A", "B"]
    assert split.matrix.toarray().tolist() == [[1, 1], [1, 0]]
    assert split.relevant == {1: {1}}  # customer index 1 (= 2) -> item index 1 (= B)


def test_no_leakage_across_the_time_split(retail_sample):
    split = time_split(retail_sample, "2011-10-01")
    assert split.train["time"].max() < split.split_time <= split.test["time"].min()
    assert split.matrix.sum() == len(split.train)
    train_pairs = set(zip(split.train["customer"], split.train["item"], strict=True))
    assert not train_pairs & set(zip(split.test["customer"], split.test["item"], strict=True))
    # The training matrix does not change when everything after the split is altered.
    later = retail_sample["time"] >= split.split_time
    shuffled = retail_sample.copy()
    shuffled.loc[later, "item"] = np.random.default_rng(0).permutation(
        shuffled.loc[later, "item"].to_numpy()
    )
    again = time_split(shuffled, "2011-10-01")
    assert (again.matrix != split.matrix).nnz == 0


def test_split_outside_the_data_is_an_error(retail_sample):
    with pytest.raises(InputError, match="no purchases before"):
        time_split(retail_sample, "2009-01-01")
    with pytest.raises(InputError, match="on or after"):
        time_split(retail_sample, "2013-01-01")


def test_bad_transactions_file_names_the_file(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("InvoiceNo,StockCode\n1,2\n")
    with pytest.raises(InputError, match=r"orders.csv lacks column\(s\) Description"):
        load_transactions(path)
    with pytest.raises(InputError, match="does not exist"):
        load_transactions(tmp_path / "missing.csv")


def test_unreadable_date_names_the_line(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "1,A,x,1,2011-01-01 10:00:00,1.0,5,UK\n"
        "2,B,y,1,yesterday,1.0,5,UK\n"
    )
    with pytest.raises(InputError, match=r"InvoiceDate on line\(s\) 3"):
        load_transactions(path)


def test_store_interactions_weigh_views_and_take_back_returns():
    from design_bridge.demand.retail import store_interactions

    events = pd.DataFrame(
        [
            (1, "A", "order", "2024-01-01"),
            (1, "A", "return", "2024-01-03"),  # returned in full: no taste for A
            (1, "B", "view", "2024-01-02"),
            (1, "B", "view", "2024-01-04"),
            (2, "A", "order", "2024-01-05"),
            (2, "B", "view", "2024-02-10"),  # a view after the split is not a test purchase
            (1, "C", "order", "2024-02-11"),  # unknown item in training
            (2, "B", "order", "2024-02-12"),
        ],
        columns=["customer", "item", "kind", "time"],
    )
    split = time_split(store_interactions(events), "2024-02-01")
    assert list(split.items) == ["A", "B"]
    assert split.matrix.toarray() == pytest.approx(np.array([[0.0, 0.2], [1.0, 0.0]]))
    assert split.relevant == {1: {1}}
    with pytest.raises(InputError, match="row 0: kind 'like'"):
        store_interactions(events.assign(kind="like"))
