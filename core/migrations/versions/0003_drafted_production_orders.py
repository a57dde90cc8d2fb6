"""Drafted production orders: fit report, piece material and detail, an order's draft error

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 06:35:43.328065
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_error", sa.String(length=1000), nullable=True))

    with op.batch_alter_table("pattern_pieces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("material", sa.String(length=32), server_default="shell", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "detail",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                server_default=sa.text("'{}'"),
                nullable=False,
            )
        )

    with op.batch_alter_table("production_orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "body",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                server_default=sa.text("'{}'"),
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "fit",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                server_default=sa.text("'[]'"),
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "seams",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                server_default=sa.text("'[]'"),
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "flags",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                server_default=sa.text("'[]'"),
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("production_orders", schema=None) as batch_op:
        batch_op.drop_column("flags")
        batch_op.drop_column("seams")
        batch_op.drop_column("fit")
        batch_op.drop_column("body")

    with op.batch_alter_table("pattern_pieces", schema=None) as batch_op:
        batch_op.drop_column("detail")
        batch_op.drop_column("material")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("draft_error")
