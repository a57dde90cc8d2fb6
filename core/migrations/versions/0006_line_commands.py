"""line commands: operators' actions from the HMI on their way to the line's agent

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-22 08:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.schema.base

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "line_commands",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("line", sa.String(length=32), nullable=False),
        sa.Column("station", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("bundle", sa.String(length=64), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=True),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", core.schema.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", core.schema.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('start', 'pause', 'finish', 'scrap', 'scan')",
            name=op.f("ck_line_commands_kind"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_line_commands")),
        sa.UniqueConstraint("id", name=op.f("uq_line_commands_id")),
    )
    with op.batch_alter_table("line_commands", schema=None) as batch_op:
        batch_op.create_index(
            "ix_line_commands_waiting", ["line", "delivered_at", "seq"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("line_commands", schema=None) as batch_op:
        batch_op.drop_index("ix_line_commands_waiting")
    op.drop_table("line_commands")
