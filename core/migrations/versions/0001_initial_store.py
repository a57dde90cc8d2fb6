"""Initial store: orders, production, plant, plans, events, telemetry, alarms, defects, models.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 06:08:15.391721
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.schema.base
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('alarms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('line', sa.String(length=32), nullable=False),
    sa.Column('station', sa.String(length=32), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('raised_at', core.schema.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', core.schema.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=64), nullable=True),
    sa.Column('returned_at', core.schema.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('shelved_at', core.schema.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('shelved_until', core.schema.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('shelved_by', sa.String(length=64), nullable=True),
    sa.Column('shelve_reason', sa.String(length=500), nullable=True),
    sa.Column('suppressed_reason', sa.String(length=500), nullable=True),
    sa.Column('event_id', sa.String(length=64), nullable=True),
    sa.CheckConstraint("priority IN ('low', 'medium', 'high', 'critical')", name=op.f('ck_alarms_priority_known')),
    sa.CheckConstraint("state <> 'acknowledged' OR (acknowledged_by IS NOT NULL AND acknowledged_at IS NOT NULL)", name=op.f('ck_alarms_ack_has_who')),
    sa.CheckConstraint("state <> 'returned_unacknowledged' OR returned_at IS NOT NULL", name=op.f('ck_alarms_rtn_has_time')),
    sa.CheckConstraint("state <> 'shelved' OR shelved_until IS NOT NULL", name=op.f('ck_alarms_shelved_has_expiry')),
    sa.CheckConstraint("state IN ('unacknowledged', 'acknowledged', 'returned_unacknowledged', 'normal', 'shelved', 'suppressed')", name=op.f('ck_alarms_state_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarms'))
    )
    with op.batch_alter_table('alarms', schema=None) as batch_op:
        batch_op.create_index('ix_alarms_key_raised', ['key', 'raised_at'], unique=False)
        batch_op.create_index('ix_alarms_line_state', ['line', 'state'], unique=False)

    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', core.schema.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers')),
    sa.UniqueConstraint('name', name=op.f('uq_customers_name'))
    )
    op.create_table('defects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line', sa.String(length=32), nullable=False),
    sa.Column('station', sa.String(length=32), nullable=False),
    sa.Column('camera', sa.String(length=64), nullable=True),
    sa.Column('time', core.schema.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('image_path', sa.String(length=500), nullable=False),
    sa.Column('heatmap_path', sa.String(length=500), nullable=True),
    sa.Column('box_x', sa.Integer(), nullable=False),
    sa.Column('box_y', sa.Integer(), nullable=False),
    sa.Column('box_w', sa.Integer(), nullable=False),
    sa.Column('box_h', sa.Integer(), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('defect_class', sa.String(length=32), nullable=False),
    sa.Column('model_version', sa.String(length=64), nullable=False),
    sa.Column('review_status', sa.String(length=16), nullable=False),
    sa.Column('reviewed_class', sa.String(length=32), nullable=True),
    sa.Column('reviewer', sa.String(length=64), nullable=True),
    sa.Column('reviewed_at', core.schema.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('event_id', sa.String(length=64), nullable=True),
    sa.CheckConstraint("review_status <> 'reclassified' OR reviewed_class IS NOT NULL", name=op.f('ck_defects_reclassified_has_class')),
    sa.CheckConstraint("review_status = 'pending' OR (reviewer IS NOT NULL AND reviewed_at IS NOT NULL)", name=op.f('ck_defects_review_has_who')),
    sa.CheckConstraint("review_status IN ('pending', 'confirmed', 'rejected', 'reclassified')", name=op.f('ck_defects_review_status_known')),
    sa.CheckConstraint('box_w > 0 AND box_h > 0 AND box_x >= 0 AND box_y >= 0', name=op.f('ck_defects_box_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defects')),
    sa.UniqueConstraint('event_id', name=op.f('uq_defects_event_id'))
    )
    with op.batch_alter_table('defects', schema=None) as batch_op:
        batch_op.create_index('ix_defects_review_time', ['review_status', 'time'], unique=False)
        batch_op.create_index('ix_defects_station_time', ['station', 'time'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('line', sa.String(length=32), nullable=False),
    sa.Column('station', sa.String(length=32), nullable=True),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('time', core.schema.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('received_at', core.schema.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_line_time', ['line', 'time'], unique=False)
        batch_op.create_index('ix_events_type_time', ['type', 'time'], unique=False)

    op.create_table('inspection_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('architecture', sa.String(length=64), nullable=True),
    sa.Column('metrics', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', core.schema.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('promoted', sa.Boolean(), nullable=False),
    sa.Column('promoted_at', core.schema.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('promoted_by', sa.String(length=64), nullable=True),
    sa.CheckConstraint('NOT promoted OR promoted_at IS NOT NULL', name=op.f('ck_inspection_models_promoted_has_time')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_models')),
    sa.UniqueConstraint('version', name=op.f('uq_inspection_models_version'))
    )
    op.create_table('line_agents',
    sa.Column('line', sa.String(length=32), nullable=False),
    sa.Column('node_id', sa.String(length=64), nullable=True),
    sa.Column('last_heartbeat', core.schema.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outbox_depth', sa.Integer(), nullable=False),
    sa.Column('events_shipped', sa.Integer(), nullable=False),
    sa.Column('model_version', sa.String(length=64), nullable=True),
    sa.Column('links', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('line', name=op.f('pk_line_agents'))
    )
    op.create_table('lines',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.CheckConstraint("kind IN ('cutting', 'sewing')", name=op.f('ck_lines_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lines'))
    )
    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('kpis', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', core.schema.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', core.schema.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('superseded_at', core.schema.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('cut', 'sewing')", name=op.f('ck_plans_kind_known')),
    sa.CheckConstraint("status <> 'published' OR published_at IS NOT NULL", name=op.f('ck_plans_published_has_time')),
    sa.CheckConstraint("status IN ('draft', 'published', 'superseded')", name=op.f('ck_plans_status_known')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_plans_version_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('family', 'version', name='uq_plans_family_version')
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index('uq_plans_one_published', ['family'], unique=True, sqlite_where=sa.text("status = 'published'"), postgresql_where=sa.text("status = 'published'"))

    op.create_table('telemetry_aggregates',
    sa.Column('station', sa.String(length=32), nullable=False),
    sa.Column('signal', sa.String(length=64), nullable=False),
    sa.Column('second', core.schema.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('line', sa.String(length=32), nullable=False),
    sa.Column('min', sa.Double(), nullable=False),
    sa.Column('max', sa.Double(), nullable=False),
    sa.Column('mean', sa.Double(), nullable=False),
    sa.Column('last', sa.Double(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 1', name=op.f('ck_telemetry_aggregates_count_positive')),
    sa.CheckConstraint('min <= mean AND mean <= max', name=op.f('ck_telemetry_aggregates_mean_between')),
    sa.PrimaryKeyConstraint('station', 'signal', 'second', name=op.f('pk_telemetry_aggregates'))
    )
    with op.batch_alter_table('telemetry_aggregates', schema=None) as batch_op:
        batch_op.create_index('ix_telemetry_aggregates_line_second', ['line', 'second'], unique=False)

    op.create_table('telemetry_samples',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('line', sa.String(length=32), nullable=False),
    sa.Column('station', sa.String(length=32), nullable=False),
    sa.Column('signal', sa.String(length=64), nullable=False),
    sa.Column('time', core.schema.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telemetry_samples'))
    )
    with op.batch_alter_table('telemetry_samples', schema=None) as batch_op:
        batch_op.create_index('ix_telemetry_samples_station_signal_time', ['station', 'signal', 'time'], unique=False)

    op.create_table('orders',
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('style', sa.String(length=32), nullable=False),
    sa.Column('options', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('size', sa.String(length=8), nullable=True),
    sa.Column('measurements', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('fabric', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('received_at', core.schema.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=255), nullable=True),
    sa.CheckConstraint("priority IN ('low', 'normal', 'high', 'rush')", name=op.f('ck_orders_priority_known')),
    sa.CheckConstraint("status IN ('received', 'drafted', 'planned', 'in_production', 'done', 'cancelled')", name=op.f('ck_orders_status_known')),
    sa.CheckConstraint("style IN ('shirt', 'trousers', 'skirt', 'tshirt')", name=op.f('ck_orders_style_known')),
    sa.CheckConstraint('quantity >= 1', name=op.f('ck_orders_quantity_positive')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_orders_customer_id_customers')),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_orders'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_status_due', ['status', 'due_date'], unique=False)

    op.create_table('stations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('line_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('machine_type', sa.String(length=32), nullable=False),
    sa.Column('machine', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['lines.id'], name=op.f('fk_stations_line_id_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stations'))
    )
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stations_line_id'), ['line_id'], unique=False)

    op.create_table('plan_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('bundle', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=True),
    sa.Column('operation_code', sa.String(length=32), nullable=False),
    sa.Column('station_id', sa.String(length=32), nullable=False),
    sa.Column('start', core.schema.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end', core.schema.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.CheckConstraint('"end" > start', name=op.f('ck_plan_assignments_end_after_start')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.order_id'], name=op.f('fk_plan_assignments_order_id_orders')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_assignments_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_plan_assignments_station_id_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_assignments'))
    )
    with op.batch_alter_table('plan_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_assignments_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index('ix_plan_assignments_station_start', ['station_id', 'start'], unique=False)

    op.create_table('plan_markers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('fabric', sa.String(length=64), nullable=False),
    sa.Column('width_mm', sa.Double(), nullable=False),
    sa.Column('length_mm', sa.Double(), nullable=False),
    sa.Column('plies', sa.Integer(), nullable=False),
    sa.Column('efficiency', sa.Double(), nullable=False),
    sa.Column('order_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('placements', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('station_id', sa.String(length=32), nullable=True),
    sa.Column('start', core.schema.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end', core.schema.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.CheckConstraint('efficiency >= 0 AND efficiency <= 1', name=op.f('ck_plan_markers_efficiency_fraction')),
    sa.CheckConstraint('plies >= 1', name=op.f('ck_plan_markers_plies_positive')),
    sa.CheckConstraint('width_mm > 0 AND length_mm > 0', name=op.f('ck_plan_markers_size_positive')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_markers_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_plan_markers_station_id_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_markers')),
    sa.UniqueConstraint('plan_id', 'name', name='uq_plan_markers_plan_name')
    )
    with op.batch_alter_table('plan_markers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_markers_plan_id'), ['plan_id'], unique=False)

    op.create_table('production_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('bom', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('drafted_at', core.schema.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('drafter_version', sa.String(length=64), nullable=True),
    sa.CheckConstraint("status IN ('drafted', 'planned', 'cutting', 'sewing', 'done', 'cancelled')", name=op.f('ck_production_orders_status_known')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.order_id'], name=op.f('fk_production_orders_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_production_orders')),
    sa.UniqueConstraint('order_id', name=op.f('uq_production_orders_order_id'))
    )
    op.create_table('pattern_pieces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('production_order_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('polygon', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('grain_line', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('notches', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('seam_allowance_mm', sa.Double(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('mirrored', sa.Boolean(), nullable=False),
    sa.CheckConstraint('quantity >= 1', name=op.f('ck_pattern_pieces_quantity_positive')),
    sa.ForeignKeyConstraint(['production_order_id'], ['production_orders.id'], name=op.f('fk_pattern_pieces_production_order_id_production_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pattern_pieces')),
    sa.UniqueConstraint('production_order_id', 'name', name='uq_pattern_pieces_order_name')
    )
    with op.batch_alter_table('pattern_pieces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pattern_pieces_production_order_id'), ['production_order_id'], unique=False)

    op.create_table('routings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('style', sa.String(length=32), nullable=False),
    sa.Column('production_order_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['production_order_id'], ['production_orders.id'], name=op.f('fk_routings_production_order_id_production_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routings')),
    sa.UniqueConstraint('production_order_id', name=op.f('uq_routings_production_order_id'))
    )
    op.create_table('operations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('routing_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('machine_type', sa.String(length=32), nullable=False),
    sa.Column('smv', sa.Double(), nullable=False),
    sa.Column('predecessors', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.CheckConstraint('smv > 0', name=op.f('ck_operations_smv_positive')),
    sa.ForeignKeyConstraint(['routing_id'], ['routings.id'], name=op.f('fk_operations_routing_id_routings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operations')),
    sa.UniqueConstraint('routing_id', 'code', name='uq_operations_routing_code')
    )
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operations_routing_id'), ['routing_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operations_routing_id'))

    op.drop_table('operations')
    op.drop_table('routings')
    with op.batch_alter_table('pattern_pieces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pattern_pieces_production_order_id'))

    op.drop_table('pattern_pieces')
    op.drop_table('production_orders')
    with op.batch_alter_table('plan_markers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_markers_plan_id'))

    op.drop_table('plan_markers')
    with op.batch_alter_table('plan_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_assignments_station_start')
        batch_op.drop_index(batch_op.f('ix_plan_assignments_plan_id'))

    op.drop_table('plan_assignments')
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stations_line_id'))

    op.drop_table('stations')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_status_due')

    op.drop_table('orders')
    with op.batch_alter_table('telemetry_samples', schema=None) as batch_op:
        batch_op.drop_index('ix_telemetry_samples_station_signal_time')

    op.drop_table('telemetry_samples')
    with op.batch_alter_table('telemetry_aggregates', schema=None) as batch_op:
        batch_op.drop_index('ix_telemetry_aggregates_line_second')

    op.drop_table('telemetry_aggregates')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index('uq_plans_one_published', sqlite_where=sa.text("status = 'published'"), postgresql_where=sa.text("status = 'published'"))

    op.drop_table('plans')
    op.drop_table('lines')
    op.drop_table('line_agents')
    op.drop_table('inspection_models')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_type_time')
        batch_op.drop_index('ix_events_line_time')

    op.drop_table('events')
    with op.batch_alter_table('defects', schema=None) as batch_op:
        batch_op.drop_index('ix_defects_station_time')
        batch_op.drop_index('ix_defects_review_time')

    op.drop_table('defects')
    op.drop_table('customers')
    with op.batch_alter_table('alarms', schema=None) as batch_op:
        batch_op.drop_index('ix_alarms_line_state')
        batch_op.drop_index('ix_alarms_key_raised')

    op.drop_table('alarms')
