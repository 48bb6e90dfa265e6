"""service norms: visit facts, norm targets, visitor ratings (KTO)

visit_facts holds one row per finished visit, replayed from its ticket events
(derived data: dropping it loses nothing, the next dashboard look rebuilds it);
visit_fact_progress remembers up to which day that is complete; visit_hourly
and visit_wait_minutes are per-day roll-ups of the facts (the heat map, the
daily trend and the wait norms read those, not a year of visits). norm_targets
holds the team lead's own targets per location and service. kto_ratings holds
the anonymous ratings (no ticket, person or device; time to the hour).

Revision ID: 0008
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0009'
branch_labels = None
depends_on = None

_BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_TS = sa.DateTime(timezone=True)
#: Indexes on the existing tables for the norm figures (also declared in storage/models_norms.py).
_COVERING = (
    ('ix_meldingen_location_closed', 'meldingen', ['location_id', 'closed_at', 'state', 'received_on', 'due_date']),
    ('ix_callback_notes_location_created', 'callback_notes', ['location_id', 'created_at', 'due_date', 'done_at']),
    ('ix_complaints_location_handled', 'complaints', ['location_id', 'handled_at', 'state', 'due_date']),
    ('ix_contacts_location_created_result', 'contacts', ['location_id', 'created_at', 'result', 'service_id']),
    ('ix_appointments_location_day_state', 'appointments', ['location_id', 'day', 'state', 'service_id']),
)


def upgrade() -> None:
    op.create_table(
        'visit_facts',
        sa.Column('ticket_id', _BIGID, sa.ForeignKey('tickets.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('location_id', sa.Integer(), sa.ForeignKey('locations.id'), nullable=False),
        sa.Column('service_id', sa.Integer(), sa.ForeignKey('services.id'), nullable=False),
        sa.Column('kind', sa.String(12), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('weekday', sa.SmallInteger(), nullable=False),
        sa.Column('hour', sa.SmallInteger(), nullable=False),
        sa.Column('day_part', sa.String(8), nullable=False),
        sa.Column('arrived_at', _TS, nullable=False),
        sa.Column('wait_s', sa.Integer(), nullable=True),
        sa.Column('norm_wait_s', sa.Integer(), nullable=True),
        sa.Column('handling_s', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(12), nullable=False),
    )
    op.create_index('ix_visit_facts_period', 'visit_facts',
                    ['location_id', 'day', 'kind', 'service_id', 'day_part', 'norm_wait_s'])
    op.create_index('ix_visit_facts_week', 'visit_facts',
                    ['location_id', 'day', 'weekday', 'hour', 'service_id', 'day_part', 'wait_s'])
    op.create_table(
        'visit_hourly',
        sa.Column('location_id', sa.Integer(), sa.ForeignKey('locations.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('day', sa.Date(), primary_key=True),
        sa.Column('hour', sa.SmallInteger(), primary_key=True),
        sa.Column('service_id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(12), primary_key=True),
        sa.Column('day_part', sa.String(8), primary_key=True),
        sa.Column('weekday', sa.SmallInteger(), nullable=False),
        sa.Column('arrivals', sa.Integer(), nullable=False),
        sa.Column('called', sa.Integer(), nullable=False),
        sa.Column('wait_sum', sa.BigInteger(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'visit_wait_minutes',
        sa.Column('location_id', sa.Integer(), sa.ForeignKey('locations.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('day', sa.Date(), primary_key=True),
        sa.Column('service_id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(12), primary_key=True),
        sa.Column('day_part', sa.String(8), primary_key=True),
        sa.Column('wait_min', sa.SmallInteger(), primary_key=True),
        sa.Column('visits', sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'visit_fact_progress',
        sa.Column('location_id', sa.Integer(), sa.ForeignKey('locations.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('complete_through', sa.Date(), nullable=False),
    )
    op.create_table(
        'norm_targets',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('location_id', sa.Integer(), sa.ForeignKey('locations.id', ondelete='CASCADE'), nullable=False),
        sa.Column('service_id', sa.Integer(), sa.ForeignKey('services.id', ondelete='CASCADE'), nullable=True),
        sa.Column('norm', sa.String(24), nullable=False),
        sa.Column('target', sa.Float(), nullable=False),
        sa.Column('threshold', sa.Float(), nullable=True),
        sa.Column('updated_at', _TS, nullable=False),
        sa.Column('updated_by', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
    )
    op.create_index('uq_norm_targets_location', 'norm_targets', ['location_id', 'norm'], unique=True,
                    postgresql_where=sa.text('service_id IS NULL'), sqlite_where=sa.text('service_id IS NULL'))
    op.create_index('uq_norm_targets_service', 'norm_targets', ['location_id', 'service_id', 'norm'], unique=True,
                    postgresql_where=sa.text('service_id IS NOT NULL'),
                    sqlite_where=sa.text('service_id IS NOT NULL'))
    op.create_table(
        'kto_ratings',
        sa.Column('id', _BIGID, primary_key=True),
        sa.Column('location_id', sa.Integer(), sa.ForeignKey('locations.id'), nullable=False),
        sa.Column('service_id', sa.Integer(), sa.ForeignKey('services.id'), nullable=True),
        sa.Column('rating', sa.SmallInteger(), nullable=False),
        sa.Column('comment', sa.String(200), nullable=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('hour', sa.SmallInteger(), nullable=False),
        sa.Column('day_part', sa.String(8), nullable=False),
        sa.Column('created_at', _TS, nullable=False),
    )
    op.create_index('ix_kto_ratings_period', 'kto_ratings', ['location_id', 'day', 'service_id', 'day_part', 'rating'])
    # The figures select by closing / writing time; covering, so no table row is read.
    for name, table, columns in _COVERING:
        op.create_index(name, table, columns)

def downgrade() -> None:
    for name, table, _columns in _COVERING:
        op.drop_index(name, table_name=table)
    op.drop_table('kto_ratings')
    op.drop_table('norm_targets')
    op.drop_table('visit_fact_progress')
    op.drop_table('visit_wait_minutes')
    op.drop_table('visit_hourly')
    op.drop_table('visit_facts')
