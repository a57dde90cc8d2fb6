"""import_batch stores good rows once, on SQLite and PostgreSQL; bad files store nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from core.db import transaction
from core.errors import InputError
from core.importer import ImportReport, import_batch, import_upload, list_orders, parse_batch
from core.schema import CustomerRow, OrderRow

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
HEADER = "order_id,customer,style,options,size,fabric,quantity,due_date,priority"


def _count(engine: Engine, table: type) -> int:
    with transaction(engine) as s:
        return s.scalar(select(func.count()).select_from(table)) or 0


def _csv(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_demo_batch_is_stored_as_parsed(engine: Engine) -> None:
    report = import_batch(engine, SAMPLES / "orders_demo.csv")
    parsed = [o for _, o in parse_batch(SAMPLES / "orders_demo.csv").orders]
    assert (report.imported, report.duplicates, report.errors) == (24, 0, [])
    assert report.order_ids == [o.order_id for o in parsed]
    stored = {o.order_id: (o, status) for o, status in list_orders(engine)}
    assert {k: v[0] for k, v in stored.items()} == {o.order_id: o for o in parsed}
    assert {status for _, status in stored.values()} == {"received"}
    with transaction(engine) as s:
        sources = set(s.scalars(select(OrderRow.source)))
    assert sources == {"orders_demo.csv"}


def test_importing_the_same_file_twice_adds_nothing(engine: Engine) -> None:
    import_batch(engine, SAMPLES / "orders_demo.csv")
    customers = _count(engine, CustomerRow)
    again = import_batch(engine, SAMPLES / "orders_demo.csv")
    assert (again.imported, again.duplicates, again.errors, again.order_ids) == (0, 24, [], [])
    assert _count(engine, OrderRow) == 24
    assert _count(engine, CustomerRow) == customers


def test_json_batch_and_csv_batch_together(engine: Engine) -> None:
    import_batch(engine, SAMPLES / "orders_demo.csv")
    report = import_batch(engine, SAMPLES / "orders_demo.json")
    assert (report.imported, report.duplicates) == (24, 0)
    assert _count(engine, OrderRow) == 48
    # The JSON batch has the same customers, so none is added twice.
    assert _count(engine, CustomerRow) == len({o.customer for o, _ in list_orders(engine)})


def test_same_id_with_different_content_is_an_error_and_changes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    first = _csv(tmp_path, "a.csv", "A-1,Ana,tshirt,,M,JER-160,1,2026-12-01,normal")
    import_batch(engine, first)
    second = _csv(
        tmp_path,
        "b.csv",
        "A-2,Ana,tshirt,,L,JER-160,1,2026-12-01,normal",
        "A-1,Ana,tshirt,,XL,JER-160,1,2026-12-01,normal",
        "A-1,Ana,tshirt,,M,JER-160,1,2026-12-01,normal",
    )
    report = import_batch(engine, second)
    assert report.order_ids == ["A-2"]
    assert report.duplicates == 0
    assert [(e.row, e.field) for e in report.errors] == [(2, "order_id"), (3, "order_id")]
    assert "different content" in report.errors[1].message
    stored = {o.order_id: o for o, _ in list_orders(engine)}
    assert stored["A-1"].size == "M"


def test_repeats_inside_one_file(engine: Engine, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "b.csv",
        "A-1,Ana,tshirt,,M,JER-160,1,2026-12-01,",
        "A-1,Ana,tshirt,,M,JER-160,1,2026-12-01,normal",
        "A-1,Ana,tshirt,,S,JER-160,1,2026-12-01,",
    )
    report = import_batch(engine, path)
    assert (report.imported, report.duplicates) == (1, 1)
    assert [(e.row, e.field) for e in report.errors] == [(3, "order_id")]
    assert "first at row 1" in report.errors[0].message


def test_bad_rows_do_not_stop_good_ones(engine: Engine) -> None:
    report = import_batch(engine, SAMPLES / "orders_with_errors.csv")
    assert report.order_ids == ["ERR-001", "ERR-010"]
    assert len(report.errors) == 10
    assert report.errors == sorted(report.errors, key=lambda e: e.row)
    assert json.loads(json.dumps(report.to_dict()))["errors"][0] == {
        "row": 2,
        "field": "style",
        "message": "unknown style 'kimono'; expected shirt, trousers, skirt, tshirt",
    }


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01binary", b"name,age\nann,3\n", b'{"orders": 3}'],
    ids=["empty", "binary", "wrong-columns", "json-shape"],
)
def test_not_a_batch_stores_nothing(engine: Engine, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(InputError):
        import_batch(engine, path)
    assert _count(engine, OrderRow) == 0
    assert _count(engine, CustomerRow) == 0


def test_list_orders_filters_and_sorts(engine: Engine, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "b.csv",
        "B,Ana,tshirt,,M,JER-160,1,2026-12-09,",
        "A,Ana,tshirt,,M,JER-160,1,2026-12-09,",
        "C,Ana,tshirt,,M,JER-160,1,2026-12-01,",
    )
    import_batch(engine, path)
    assert [o.order_id for o, _ in list_orders(engine)] == ["C", "A", "B"]
    assert [o.order_id for o, _ in list_orders(engine, limit=1)] == ["C"]
    assert list_orders(engine, status="done") == []


def test_concurrent_imports_store_each_order_once(engine: Engine) -> None:
    import threading

    reports: list[ImportReport] = []
    failures: list[BaseException] = []
    start = threading.Barrier(3)

    def run() -> None:
        start.wait()
        try:
            reports.append(import_batch(engine, SAMPLES / "orders_demo.csv"))
        except BaseException as exc:  # reported below; a thread must not swallow it
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert failures == []
    assert sum(r.imported for r in reports) == 24
    assert sum(r.duplicates for r in reports) == 48
    assert _count(engine, OrderRow) == 24


def test_progress_is_reported(tmp_path: Path) -> None:
    rows = [f"P{i},Ana,tshirt,,M,JER-160,1,2026-12-01," for i in range(2500)]
    seen: list[tuple[int, int]] = []
    parse_batch(_csv(tmp_path, "big.csv", *rows), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1000, 2500), (2000, 2500), (2500, 2500)]


def test_an_upload_imports_like_its_file(engine: Engine) -> None:
    data = (SAMPLES / "orders_demo.json").read_bytes()
    report = import_upload(engine, data, "from-browser.json")
    assert (report.imported, report.errors) == (24, [])
    with transaction(engine) as s:
        assert set(s.scalars(select(OrderRow.source))) == {"from-browser.json"}
    again = import_upload(engine, data, "renamed.txt", fmt="json")
    assert (again.imported, again.duplicates) == (0, 24)
    with pytest.raises(InputError, match="upload.csv: a binary file"):
        import_upload(engine, b"\x00\x01", "upload.csv")
