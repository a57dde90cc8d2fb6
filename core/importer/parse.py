"""Parse a whole batch: the orders that are valid, with their row numbers, and every row error."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.importer.cells import validate_row
from core.importer.read import csv_rows, decode, detect_format, json_rows, read_bytes
from core.orders import CustomOrder

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (rows done, rows in the file)


@dataclass(frozen=True)
class RowError:
    """One problem in one row: `row` counts data rows from 1, `field` is the column name."""

    row: int
    field: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class BatchParse:
    orders: list[tuple[int, CustomOrder]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_batch(path: Path, fmt: str | None = None, progress: Progress | None = None) -> BatchParse:
    """Validate every row of a CSV or JSON batch file. Raises InputError when the file is not a
    batch at all (missing, empty, binary, not UTF-8, wrong columns, wrong JSON shape, too large)."""
    path = Path(path)
    return parse_bytes(read_bytes(path), str(path), fmt, progress)


def parse_bytes(
    data: bytes, source: str, fmt: str | None = None, progress: Progress | None = None
) -> BatchParse:
    """As `parse_batch`, for content already in memory (an upload); `source` names it in errors
    and its suffix tells the format when `fmt` is not given."""
    text = decode(source, data)
    kind = detect_format(source, data, fmt)
    rows = list(csv_rows(source, text) if kind == "csv" else json_rows(source, text))
    result = BatchParse()
    for done, (row, raw) in enumerate(rows, start=1):
        if isinstance(raw, tuple):
            result.errors.append(RowError(row, *raw))
        else:
            order, problems = validate_row(raw)
            if order is not None:
                result.orders.append((row, order))
            result.errors.extend(RowError(row, f, m) for f, m in problems)
        if progress is not None and (done % 1000 == 0 or done == len(rows)):
            progress(done, len(rows))
    log.info(
        "parsed %s (%s): %d good rows, %d errors",
        Path(source).name,
        kind,
        len(result.orders),
        len(result.errors),
    )
    return result
