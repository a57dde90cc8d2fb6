"""plan deliveries per line (kept in the store until the uplink took them); alarm commands

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 09:06:11.635038
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.schema.base

revision: str = "0007"
# It changes 0006's line_commands, so it follows 0006 (re-chained by the lead at merge).
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = "kind IN ('start', 'pause', 'finish', 'scrap', 'scan', 'alarm_ack', 'alarm_shelve')"
_KINDS_BEFORE = "kind IN ('start', 'pause', 'finish', 'scrap', 'scan')"


def upgrade() -> None:
    op.create_table(
        "plan_deliveries",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=32), nullable=False),
        sa.Column("plan_id", sa.String(length=128), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("published_at", core.schema.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", core.schema.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_plan_deliveries")),
        sa.UniqueConstraint("line", "plan_id", name="uq_plan_deliveries_line_plan"),
    )
    with op.batch_alter_table("plan_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_deliveries_waiting", ["line", "delivered_at", "seq"], unique=False
        )
    with op.batch_alter_table("line_commands", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_line_commands_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_line_commands_kind"), sa.text(_KINDS))


def downgrade() -> None:
    op.execute("DELETE FROM line_commands WHERE kind IN ('alarm_ack', 'alarm_shelve')")
    with op.batch_alter_table("line_commands", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_line_commands_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_line_commands_kind"), sa.text(_KINDS_BEFORE))
    with op.batch_alter_table("plan_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_deliveries_waiting")
    op.drop_table("plan_deliveries")
