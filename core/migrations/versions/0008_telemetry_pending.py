"""telemetry pending: aggregates of a backlog, projected into the telemetry tables after it is stored

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 11:25:16.615269
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "telemetry_pending",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_telemetry_pending")),
    )


def downgrade() -> None:
    # The queued aggregates are in `events` but not yet in the telemetry tables: dropping the
    # queue would leave those seconds out of every chart for good.
    waiting = op.get_bind().execute(sa.text("SELECT COUNT(*) FROM telemetry_pending")).scalar()
    if waiting:
        raise RuntimeError(
            f"telemetry_pending still holds {waiting} aggregates not yet in the telemetry tables;"
            " let the ingest run until it is empty, then downgrade"
        )
    op.drop_table("telemetry_pending")
