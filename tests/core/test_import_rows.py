"""Bad and hostile cells are row errors naming row and field; the other rows still parse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.importer import RowError, parse_batch

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
COLUMNS = (
    "order_id,customer,style,options,size,height,neck,chest,waist,hip,shoulder_width,"
    "arm_length,wrist,back_waist_length,inseam,thigh,fabric,quantity,due_date,priority"
).split(",")
GOOD = {
    "order_id": "T-1",
    "customer": "Ana",
    "style": "trousers",
    "options": "fit=slim",
    "height": "170",
    "waist": "80",
    "hip": "98",
    "inseam": "80",
    "thigh": "56",
    "fabric": "TW-260",
    "quantity": "1",
    "due_date": "2026-12-01",
    "priority": "normal",
}


def _errors_for(tmp_path: Path, **cells: str) -> list[RowError]:
    """Parse a CSV of one good row and one row with `cells` changed; the good row must pass."""
    import csv

    path = tmp_path / "b.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, COLUMNS)
        w.writeheader()
        w.writerow(GOOD)
        w.writerow({**GOOD, "order_id": "T-2", **cells})
    parsed = parse_batch(path)
    assert [o.order_id for _, o in parsed.orders] == (["T-1"] if parsed.errors else ["T-1", "T-2"])
    assert all(e.row == 2 for e in parsed.errors)
    return parsed.errors


HOSTILE = {
    "formula-eq": ({"customer": "=cmd|' /C calc'!A0"}, "customer", "formula"),
    "formula-plus": ({"customer": "+SUM(A1:A9)"}, "customer", "formula"),
    "formula-at": ({"fabric": "@HYPERLINK(x)"}, "fabric", "formula"),
    "formula-after-tab": ({"customer": "\t=1+1"}, "customer", "formula"),
    "formula-in-option": ({"options": "fit==HYPERLINK(x)"}, "options", "formula"),
    "bell-char": ({"customer": "Ana\x07"}, "customer", "control character U+0007"),
    "newline-inside": ({"customer": "Ana\nBeto"}, "customer", "control character U+000A"),
    "bidi-override": ({"customer": "Ana\u202egnp.exe"}, "customer", "control character U+202E"),
    "huge-string": ({"customer": "x" * 100_000}, "customer", "100000 characters"),
    "huge-order-id": ({"order_id": "A" * 65}, "order_id", "at most 64"),
    "nan": ({"waist": "NaN"}, "waist", "not a finite number"),
    "inf": ({"hip": "-inf"}, "hip", "not a finite number"),
    "overflow": ({"hip": "1e400"}, "hip", "not a finite number"),
    "negative": ({"waist": "-80"}, "waist", "must be positive"),
    "zero": ({"inseam": "0"}, "inseam", "must be positive"),
    "implausible": ({"height": "1700"}, "height", "outside the plausible range"),
    "comma-decimal": ({"thigh": "56,5"}, "thigh", "decimal point"),
    "words": ({"thigh": "fifty"}, "thigh", "not a number"),
    "underscore-number": ({"thigh": "5_6"}, "thigh", "not a number"),
    "unknown-style": ({"style": "kimono"}, "style", "unknown style 'kimono'"),
    "missing-measurement": ({"hip": ""}, "hip", "required for style trousers without a size"),
    "neither": (
        {k: "" for k in ("height", "waist", "hip", "inseam", "thigh")},
        "size",
        "give a size",
    ),
    "bad-size": (
        {k: "" for k in ("height", "waist", "hip", "inseam", "thigh")} | {"size": "XXXXL"},
        "size",
        "not a size",
    ),
    "zero-quantity": ({"quantity": "0"}, "quantity", "between 1 and 10000"),
    "negative-quantity": ({"quantity": "-3"}, "quantity", "not a whole number"),
    "fraction-quantity": ({"quantity": "1.5"}, "quantity", "not a whole number"),
    "huge-quantity": ({"quantity": "9" * 40}, "quantity", "between 1 and 10000"),
    "us-date": ({"due_date": "12/01/2026"}, "due_date", "not an ISO date"),
    "no-such-day": ({"due_date": "2026-02-30"}, "due_date", "not a date"),
    "far-date": ({"due_date": "9999-01-01"}, "due_date", "not a plausible due date"),
    "priority": ({"priority": "asap"}, "priority", "not one of low, normal, high, rush"),
    "option-syntax": ({"options": "fit"}, "options", "not key=value"),
    "option-key": ({"options": "Fit Type=slim"}, "options", "lower-case"),
    "option-twice": ({"options": "fit=slim;fit=loose"}, "options", "given twice"),
    "option-empty": ({"options": "fit="}, "options", "needs a value"),
    "bad-order-id": ({"order_id": "A B"}, "order_id", "only letters"),
    "path-order-id": ({"order_id": "A/../../etc"}, "order_id", "only letters"),
    "huge-options": ({"options": ";" * 5000}, "options", "5000 characters"),
    "missing-customer": ({"customer": "  "}, "customer", "is required"),
}


@pytest.mark.parametrize("case", HOSTILE.values(), ids=HOSTILE.keys())
def test_bad_cell_is_a_row_error(tmp_path: Path, case: tuple[dict[str, str], str, str]) -> None:
    cells, field, expected = case
    errors = _errors_for(tmp_path, **cells)
    assert [e.field for e in errors] == [field]
    assert expected in errors[0].message
    assert len(errors[0].message) < 200  # a huge cell is never echoed back


def test_several_problems_in_one_row_are_all_reported(tmp_path: Path) -> None:
    errors = _errors_for(tmp_path, style="gown", quantity="0", waist="-1")
    assert sorted(e.field for e in errors) == ["quantity", "style", "waist"]


def test_a_good_row_with_blank_optional_cells_passes(tmp_path: Path) -> None:
    assert _errors_for(tmp_path, options="", priority="", inseam="", thigh="") == []


def test_a_size_with_measurements_that_override_it(tmp_path: Path) -> None:
    assert _errors_for(tmp_path, size="xl", hip="", inseam="") == []
    path = tmp_path / "b.csv"
    orders = {o.order_id: o for _, o in parse_batch(path).orders}
    assert orders["T-2"].size == "XL"
    assert orders["T-2"].measurements == {"height": 170.0, "waist": 80.0, "thigh": 56.0}


def test_short_or_long_record_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text(
        "order_id,customer,style,size,fabric,quantity,due_date\n"
        "A,c,tshirt,M,F,1,2026-12-01\n"
        "B,c,tshirt,M,F,1\n"
        "C,c,tshirt,M,F,1,2026-12-01,extra\n",
        encoding="utf-8",
    )
    parsed = parse_batch(path)
    assert [o.order_id for _, o in parsed.orders] == ["A"]
    assert [(e.row, e.field) for e in parsed.errors] == [(2, "(row)"), (3, "(row)")]


TSHIRT_BODY = {"height": 170, "chest": 96, "waist": 82, "shoulder_width": 44, "arm_length": 60}


def test_json_values_of_the_wrong_type(tmp_path: Path) -> None:
    base = {
        "order_id": "A",
        "customer": "c",
        "style": "tshirt",
        "size": "M",
        "fabric": "F",
        "quantity": 1,
        "due_date": "2026-12-01",
    }
    items = [
        {**base, "order_id": "ok"},
        {**base, "quantity": True},
        {**base, "customer": ["x"]},
        {**base, "due_date": 20261201},
        {**base, "size": None, "measurements": [170]},
        {**base, "size": None, "measurements": {**TSHIRT_BODY, "height": float("nan")}},
        {**base, "size": None, "measurements": {"elbow": 30}},
        {**base, "options": {"fit": {"deep": 1}}},
    ]
    path = tmp_path / "b.json"
    path.write_text(json.dumps(items), encoding="utf-8")  # json writes NaN, as some tools do
    parsed = parse_batch(path)
    assert [o.order_id for _, o in parsed.orders] == ["ok"]
    assert [(e.row, e.field) for e in parsed.errors] == [
        (2, "quantity"),
        (3, "customer"),
        (4, "due_date"),
        (5, "measurements"),
        (6, "height"),
        (7, "measurements"),
        (8, "options"),
    ]


def test_sample_with_errors_reports_each_bad_row() -> None:
    parsed = parse_batch(SAMPLES / "orders_with_errors.csv")
    assert [o.order_id for _, o in parsed.orders] == ["ERR-001", "ERR-010"]
    assert {(e.row, e.field) for e in parsed.errors} == {
        (2, "style"),
        (3, "waist"),
        (4, "customer"),
        (5, "quantity"),
        (6, "waist"),
        (6, "thigh"),
        (7, "due_date"),
        (7, "options"),
        (8, "priority"),
        (9, "chest"),
    }
