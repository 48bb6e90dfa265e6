"""opening schedules, closure-day choices, appointments

Tables for a location's calendar choices (Goede Vrijdag, Bevrijdingsdag, the
kiosk's stop time, the appointments switch and check-in rules), weekly opening
periods (location and service), dated exceptions, appointment blocks,
per-service appointment settings ("neem mee"), and the appointments.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_ACTIVE = sa.text("state IN ('booked', 'checked_in')")
_LOCATION_WIDE = sa.text("service_id IS NULL")
_PER_SERVICE = sa.text("service_id IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        'location_calendars',
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('good_friday', sa.Boolean(), nullable=False),
        sa.Column('liberation_day', sa.String(length=12), nullable=False),
        sa.Column('kiosk_stop_minutes', sa.Integer(), nullable=False),
        sa.Column('appointments_enabled', sa.Boolean(), nullable=False),
        sa.Column('checkin_early_minutes', sa.Integer(), nullable=False),
        sa.Column('checkin_late_minutes', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('location_id'),
    )
    op.create_table(
        'opening_periods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('start_minute', sa.Integer(), nullable=False),
        sa.Column('end_minute', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['service_id'], ['services.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_opening_periods_location', 'opening_periods', ['location_id', 'service_id'], unique=False)
    op.create_table(
        'schedule_exceptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('periods', sa.JSON(), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['service_id'], ['services.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('uq_schedule_exceptions_location_day', 'schedule_exceptions', ['location_id', 'day'],
                    unique=True, postgresql_where=_LOCATION_WIDE, sqlite_where=_LOCATION_WIDE)
    op.create_index('uq_schedule_exceptions_service_day', 'schedule_exceptions', ['location_id', 'service_id', 'day'],
                    unique=True, postgresql_where=_PER_SERVICE, sqlite_where=_PER_SERVICE)
    op.create_table(
        'appointment_blocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('weekday', sa.Integer(), nullable=True),
        sa.Column('day', sa.Date(), nullable=True),
        sa.Column('start_minute', sa.Integer(), nullable=False),
        sa.Column('end_minute', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['service_id'], ['services.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_appointment_blocks_location', 'appointment_blocks', ['location_id'], unique=False)
    op.create_table(
        'service_appointment_settings',
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.Column('duration_minutes', sa.Integer(), nullable=False),
        sa.Column('max_parallel', sa.Integer(), nullable=True),
        sa.Column('bring_list', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['service_id'], ['services.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('service_id'),
    )
    op.create_table(
        'appointments',
        sa.Column('id', _BIGID, nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=12), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('slot_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('slot_end', sa.DateTime(timezone=True), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('phone', sa.String(length=32), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('remarks', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('changed_by', sa.Integer(), nullable=True),
        sa.Column('moved_count', sa.Integer(), nullable=False),
        sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ticket_id', _BIGID, nullable=True),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id']),
        sa.ForeignKeyConstraint(['service_id'], ['services.id']),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.ForeignKeyConstraint(['changed_by'], ['users.id']),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code', name='uq_appointments_code'),
    )
    op.create_index('ix_appointments_active', 'appointments', ['service_id', 'day', 'slot_start'], unique=False,
                    postgresql_where=_ACTIVE, sqlite_where=_ACTIVE)
    op.create_index('ix_appointments_location_day', 'appointments', ['location_id', 'day'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_appointments_location_day', table_name='appointments')
    op.drop_index('ix_appointments_active', table_name='appointments')
    op.drop_table('appointments')
    op.drop_table('service_appointment_settings')
    op.drop_index('ix_appointment_blocks_location', table_name='appointment_blocks')
    op.drop_table('appointment_blocks')
    op.drop_index('uq_schedule_exceptions_service_day', table_name='schedule_exceptions')
    op.drop_index('uq_schedule_exceptions_location_day', table_name='schedule_exceptions')
    op.drop_table('schedule_exceptions')
    op.drop_index('ix_opening_periods_location', table_name='opening_periods')
    op.drop_table('opening_periods')
    op.drop_table('location_calendars')
