"""A file that is not a batch gets one clear InputError; parse_batch reads good CSV and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import InputError
from core.importer import parse_batch
from core.importer import read as batch_read
from core.orders import CustomOrder, Priority

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
HEADER = "order_id,customer,style,options,size,fabric,quantity,due_date,priority"


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_demo_csv_parses_completely() -> None:
    parsed = parse_batch(SAMPLES / "orders_demo.csv")
    assert parsed.errors == []
    assert [row for row, _ in parsed.orders] == list(range(1, 25))
    styles = {o.style for _, o in parsed.orders}
    assert styles == {"shirt", "trousers", "skirt", "tshirt"}
    by_size = [o for _, o in parsed.orders if o.size]
    assert 0 < len(by_size) < 12
    assert sum(bool(o.measurements) for o in by_size) == 1  # one overrides its size's height


def test_json_demo_holds_the_same_orders_as_the_csv() -> None:
    from_csv = {o.order_id: o for _, o in parse_batch(SAMPLES / "orders_demo.csv").orders}
    from_json = parse_batch(SAMPLES / "orders_demo.json")
    assert from_json.errors == []
    for _, order in from_json.orders:
        twin = from_csv[order.order_id.replace("J", "")]
        assert order.model_copy(update={"order_id": twin.order_id}) == twin


def test_csv_cells_become_typed_fields(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "b.csv",
        "order_id, Customer ,style,options,waist,hip,height,fabric,quantity,due_date,priority\n"
        "K-1,Zoë Ã,Skirt,length=knee; shape=a_line;,71.25,98,166,CRP-180,2,2026-12-01,RUSH\n",
    )
    parsed = parse_batch(path)
    assert parsed.errors == []
    ((row, order),) = parsed.orders
    assert row == 1
    assert order == CustomOrder(
        order_id="K-1",
        customer="Zoë Ã",
        style="skirt",
        options={"length": "knee", "shape": "a_line"},
        measurements={"waist": 71.2, "hip": 98.0, "height": 166.0},
        fabric="CRP-180",
        quantity=2,
        due_date="2026-12-01",  # type: ignore[arg-type]
        priority=Priority.RUSH,
    )


def test_json_accepts_flat_or_nested_measurements_and_option_objects(tmp_path: Path) -> None:
    base = {
        "customer": "c",
        "style": "skirt",
        "fabric": "F1",
        "quantity": 1,
        "due_date": "2026-12-01",
    }
    items = [
        {**base, "order_id": "A", "waist": 70, "hip": 96, "height": 160, "options": "length=mini"},
        {
            **base,
            "order_id": "B",
            "measurements": {"waist": 70, "hip": 96, "height": 160},
            "options": {"length": "mini"},
        },
    ]
    parsed = parse_batch(_write(tmp_path, "b.json", json.dumps(items)))
    assert parsed.errors == []
    a, b = (o for _, o in parsed.orders)
    assert a.model_copy(update={"order_id": "B"}) == b


def test_blank_lines_are_skipped_but_keep_their_row_number(tmp_path: Path) -> None:
    good = "X,c,skirt,,M,F1,1,2026-12-01,"
    path = _write(
        tmp_path, "b.csv", f"{HEADER}\n{good.replace('X', 'A')}\n\n{good.replace('X', 'B')}\n\n"
    )
    assert [(r, o.order_id) for r, o in parse_batch(path).orders] == [(1, "A"), (3, "B")]


def test_format_is_taken_from_the_option_then_suffix_then_content(tmp_path: Path) -> None:
    body = json.dumps(
        [
            {
                "order_id": "A",
                "customer": "c",
                "style": "tshirt",
                "size": "L",
                "fabric": "F",
                "quantity": 1,
                "due_date": "2026-12-01",
            }
        ]
    )
    assert len(parse_batch(_write(tmp_path, "batch.txt", body)).orders) == 1
    assert len(parse_batch(_write(tmp_path, "b2.dat", body), fmt="json").orders) == 1
    with pytest.raises(InputError, match="unknown batch format 'xml'"):
        parse_batch(_write(tmp_path, "b3.csv", body), fmt="xml")


NOT_A_BATCH = {
    "empty": ("e.csv", b"", "empty"),
    "whitespace": ("w.csv", b"  \n\n ", "empty"),
    "binary": ("p.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    "latin1": (
        "l.csv",
        f"{HEADER}\nA,Gon\xe7alves,shirt,,M,F,1,2026-12-01,\n".encode("latin-1"),
        "not UTF-8",
    ),
    "wrong-columns": ("c.csv", b"name,age\nann,3\n", "unknown column 'name'"),
    "missing-column": (
        "m.csv",
        b"order_id,customer,style,size,fabric,quantity\n",
        "missing column due_date",
    ),
    "no-body-columns": (
        "n.csv",
        b"order_id,customer,style,fabric,quantity,due_date\n",
        "no size column",
    ),
    "repeated-column": ("r.csv", f"{HEADER},size\n".encode(), "columns repeat in the header: size"),
    "unnamed-column": ("u.csv", f"{HEADER},\n".encode(), "column 10 of the header has no name"),
    "header-only": ("h.csv", f"{HEADER}\n\n".encode(), "a header but no orders"),
    "json-syntax": ("s.json", b'[{"order_id": "A",]', "not valid JSON at line 1"),
    "json-object": ("o.json", b'{"order_id": "A"}', "expected a JSON list"),
    "json-scalar": ("x.json", b'"orders"', "expected a JSON list"),
    "json-numbers": ("y.json", b"[1, 2, 3]", "item 1 is int"),
    "json-empty": ("z.json", b"[]", "no orders"),
    "json-wrong-keys": ("k.json", b'[{"name": "ann"}]', "unknown key 'name'"),
    "json-deep": ("d.json", b"[" * 200_000 + b"]" * 200_000, "JSON"),
}


@pytest.mark.parametrize("case", NOT_A_BATCH.values(), ids=NOT_A_BATCH.keys())
def test_not_a_batch_is_one_clear_error(tmp_path: Path, case: tuple[str, bytes, str]) -> None:
    name, content, expected = case
    path = _write(tmp_path, name, content)
    with pytest.raises(InputError) as err:
        parse_batch(path)
    assert expected in str(err.value)
    assert str(path) in str(err.value)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        parse_batch(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="not a file"):
        parse_batch(tmp_path)


def test_absurdly_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("w") as f:
        f.write(HEADER + "\n")
        f.truncate(batch_read.MAX_BYTES + 1)  # sparse: no 10 MB written to the shared disk
    with pytest.raises(InputError, match="too large"):
        parse_batch(path)


def test_too_many_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_read, "MAX_ROWS", 3)
    rows = "\n".join(f"A{i},c,tshirt,,M,F,1,2026-12-01," for i in range(4))
    with pytest.raises(InputError, match="more than 3 orders"):
        parse_batch(_write(tmp_path, "b.csv", f"{HEADER}\n{rows}\n"))
    items = [{"order_id": f"A{i}"} for i in range(4)]
    with pytest.raises(InputError, match="more than 3 orders"):
        parse_batch(_write(tmp_path, "b.json", json.dumps(items)))


def test_cell_longer_than_the_csv_limit_is_a_file_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "b.csv", f'{HEADER}\nA,"{"x" * 200_000}",tshirt,,M,F,1,2026-12-01,\n')
    with pytest.raises(InputError, match="not readable as CSV at line"):
        parse_batch(path)


def test_semicolon_and_tab_files_from_spreadsheets(tmp_path: Path) -> None:
    header = "order_id;customer;style;options;height;waist;hip;fabric;quantity;due_date"
    rows = [
        'S-1;Zoë;skirt;"length=knee;fit=slim";166;71,5;98;WOOL-GRY;1;2026-12-01',
        "S-2;Rui;trousers;fit=slim;180;84;99.5;WOOL-GRY;2;2026-12-02",
    ]
    semi = parse_batch(_write(tmp_path, "semi.csv", "\n".join([header, *rows]) + "\n"))
    assert semi.errors == []
    first, second = (o for _, o in semi.orders)
    assert first.options == {"length": "knee", "fit": "slim"}
    assert first.measurements["waist"] == 71.5 and second.measurements["hip"] == 99.5
    tab = "\n".join([header.replace(";", "\t"), rows[1].replace(";", "\t")]) + "\n"
    ((_, order),) = parse_batch(_write(tmp_path, "tab.csv", tab)).orders
    assert order == second


def test_decimal_comma_in_a_comma_file_is_still_an_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "b.csv",
        "order_id,customer,style,height,waist,hip,fabric,quantity,due_date\n"
        'A,c,skirt,166,"71,5",98,F,1,2026-12-01\n',
    )
    assert [(e.field, e.message) for e in parse_batch(path).errors] == [
        ("waist", "'71,5': use a decimal point, not a comma")
    ]
