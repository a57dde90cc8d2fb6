"""Order batches (CSV or JSON): read, validate row by row, store the good rows in one transaction.

The file format is documented in `core/README.md` ("Order batches").
"""

from core.importer.parse import BatchParse, RowError, parse_batch, parse_bytes
from core.importer.store import (
    ImportReport,
    import_batch,
    import_upload,
    list_orders,
    order_from_row,
)

__all__ = [
    "BatchParse",
    "ImportReport",
    "RowError",
    "import_batch",
    "import_upload",
    "list_orders",
    "order_from_row",
    "parse_batch",
    "parse_bytes",
]
