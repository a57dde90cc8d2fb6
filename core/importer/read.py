"""Read a batch file into raw rows, or refuse it with one InputError when it is not a batch."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.errors import InputError
from core.orders import MEASUREMENTS

MAX_BYTES = 10 * 1024 * 1024  # a batch of 50 000 orders is about 8 MB
MAX_ROWS = 50_000

REQUIRED = ("order_id", "customer", "style", "fabric", "quantity", "due_date")
OPTIONAL = ("options", "size", "priority", *MEASUREMENTS)
KNOWN = frozenset(REQUIRED + OPTIONAL)
FORMATS = ("csv", "json")

_DECIMAL_COMMA = re.compile(r"\d+,\d+")

RawRow = dict[str, Any]
Problem = tuple[str, str]  # (field, message) when a record cannot even be split into cells


def detect_format(source: str, data: bytes, fmt: str | None) -> str:
    """`fmt` if given, else the file suffix, else a look at the first character."""
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise InputError(f"unknown batch format {fmt!r}; expected csv or json")
        return fmt
    suffix = Path(source).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    return "json" if data.lstrip()[:1] in (b"[", b"{") else "csv"


def read_bytes(path: Path) -> bytes:
    """The file's bytes; refuses missing files, folders and files too large for a batch."""
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(f"{path}: {size} bytes is too large for a batch (at most {MAX_BYTES})")
    with path.open("rb") as f:
        return f.read(MAX_BYTES + 1)


def decode(source: str, data: bytes) -> str:
    """UTF-8 text of a batch; refuses huge, binary, non-UTF-8 and empty content."""
    if len(data) > MAX_BYTES:
        raise InputError(f"{source}: too large for a batch (at most {MAX_BYTES} bytes)")
    if b"\x00" in data:
        raise InputError(f"{source}: a binary file, not a CSV or JSON batch")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x}); "
            "save the batch as UTF-8"
        ) from exc
    if not text.strip():
        raise InputError(f"{source}: the file is empty; a batch needs a header and order rows")
    return text


def check_columns(path: str, columns: list[str], what: str) -> None:
    """Refuse a batch whose columns (CSV header or JSON keys) are not a batch's."""
    expected = f"expected {', '.join(REQUIRED)}, optional {', '.join(OPTIONAL)}"
    unknown = [c for c in columns if c not in KNOWN]
    if unknown:
        shown = ", ".join(repr(c[:40]) for c in unknown[:5])
        raise InputError(f"{path}: unknown {what} {shown}; {expected}")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InputError(f"{path}: missing {what} {', '.join(missing)}; {expected}")
    if "size" not in columns and not any(m in columns for m in MEASUREMENTS):
        raise InputError(f"{path}: no size {what} and no measurement {what}s; give one of them")


def _too_many(path: str) -> InputError:
    return InputError(f"{path}: more than {MAX_ROWS} orders; split the batch")


def delimiter(text: str) -> str:
    """`,` unless the header line has no comma but semicolons or tabs (spreadsheets in many
    European locales save "CSV" with `;`)."""
    header = text.split("\n", 1)[0]
    if "," in header:
        return ","
    return max((";", "\t"), key=header.count) if (";" in header or "\t" in header) else ","


def _local_decimal(cells: RawRow) -> RawRow:
    """In a `;` or tab file a decimal comma is unambiguous: 98,5 means 98.5 cm."""
    for name in MEASUREMENTS:
        value = cells.get(name)
        if isinstance(value, str) and _DECIMAL_COMMA.fullmatch(value.strip()):
            cells[name] = value.strip().replace(",", ".")
    return cells


def csv_rows(path: str, text: str) -> Iterator[tuple[int, RawRow | Problem]]:
    """(row number, cells by column) per data record, or (row number, problem)."""
    sep = delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputError(f"{path}: not a CSV batch ({exc})") from exc
    columns = [h.strip().lower() for h in header]
    if "" in columns:
        raise InputError(f"{path}: column {columns.index('') + 1} of the header has no name")
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise InputError(f"{path}: columns repeat in the header: {', '.join(repeated)}")
    check_columns(path, columns, "column")
    row = orders = 0
    try:
        for cells in reader:
            row += 1
            if row > MAX_ROWS:
                raise _too_many(path)
            if not any(c.strip() for c in cells):
                continue  # blank lines are skipped but keep their row number
            orders += 1
            if len(cells) != len(columns):
                yield row, ("(row)", f"has {len(cells)} cells, the header has {len(columns)}")
                continue
            record = dict(zip(columns, cells, strict=True))
            yield row, (record if sep == "," else _local_decimal(record))
    except csv.Error as exc:
        raise InputError(
            f"{path}: not readable as CSV at line {reader.line_num} ({exc}); nothing was imported"
        ) from exc
    if orders == 0:
        raise InputError(f"{path}: the batch has a header but no orders")


def json_rows(path: str, text: str) -> Iterator[tuple[int, RawRow | Problem]]:
    """Rows of a JSON batch: a list of objects, or an object whose `orders` is that list."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except RecursionError as exc:
        raise InputError(f"{path}: JSON nested too deeply to be a batch") from exc
    if isinstance(data, dict) and set(data) == {"orders"}:
        data = data["orders"]
    if not isinstance(data, list):
        raise InputError(
            f'{path}: expected a JSON list of order objects (or {{"orders": [...]}}), '
            f"got {type(data).__name__}"
        )
    if not data:
        raise InputError(f"{path}: the batch has no orders")
    if len(data) > MAX_ROWS:
        raise _too_many(path)
    keys: list[str] = []
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise InputError(f"{path}: item {i} is {type(item).__name__}, expected an order object")
        for key in item:
            if key not in keys:
                keys.append(key)
    flat = [k for k in keys if k != "measurements"]
    if "measurements" in keys:
        flat += [m for m in MEASUREMENTS if m not in flat]  # nested measurements count as columns
    check_columns(path, flat, "key")
    for i, item in enumerate(data, start=1):
        nested = item.get("measurements")
        if nested is None:
            yield i, {k: v for k, v in item.items() if k != "measurements"}
        elif not isinstance(nested, dict):
            yield i, ("measurements", "expected an object of name: cm")
        else:
            unknown = [k for k in nested if k not in MEASUREMENTS]
            if unknown:
                yield i, ("measurements", f"unknown measurement {str(unknown[0])[:40]!r}")
                continue
            clash = [k for k in nested if k in item]
            if clash:
                yield i, (clash[0], "given twice (nested in measurements and flat)")
                continue
            yield i, {**{k: v for k, v in item.items() if k != "measurements"}, **nested}
