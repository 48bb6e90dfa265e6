"""personal data over its whole life (AVG, issue 12)

* ``user_locations``: the locations a user works for (``location_id`` NULL:
  all). Existing users keep what they could do: a beheerder gets all
  locations, everybody else every location that exists now.
* ``user_teams``: the meldingen teams a user works in (no rows: every team).
* ``audit_log``: who read or changed which personal data, when, where. On
  PostgreSQL a trigger refuses UPDATE and DELETE on it, for every database
  role (also the application's own).
* ``retention_settings``: per kind of data its term (no row: the default).
* ``anonymised_at`` on meldingen, appointments, callback notes and complaints,
  ``destroyed_at`` on meldingen (the row stays as a tombstone for the figures).

Revision ID: 0007
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0010'
branch_labels = None
depends_on = None

_BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_REFUSE_FN = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        'user_locations',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
        sa.Column('location_id', sa.Integer(), sa.ForeignKey('locations.id', ondelete='CASCADE'), nullable=True),
        sa.UniqueConstraint('user_id', 'location_id', name='uq_user_locations'),
    )
    op.create_index('ix_user_locations_user_id', 'user_locations', ['user_id'])
    op.create_table(
        'user_teams',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
        sa.Column('team', sa.String(80), nullable=False),
        sa.UniqueConstraint('user_id', 'team', name='uq_user_teams'),
    )
    op.create_index('ix_user_teams_user_id', 'user_teams', ['user_id'])
    op.create_table(
        'audit_log',
        sa.Column('id', _BIGID, primary_key=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('workstation', sa.String(120), nullable=False, server_default=''),
        sa.Column('action', sa.String(12), nullable=False),
        sa.Column('record_type', sa.String(20), nullable=False),
        sa.Column('record_id', _BIGID, nullable=True),
        sa.Column('fields', sa.String(400), nullable=False, server_default=''),
        sa.Column('detail', sa.JSON(), nullable=True),
    )
    op.create_index('ix_audit_log_user_at', 'audit_log', ['user_id', 'at'])
    op.create_index('ix_audit_log_record', 'audit_log', ['record_type', 'record_id'])
    op.create_index('ix_audit_log_at', 'audit_log', ['at'])
    op.create_table(
        'retention_settings',
        sa.Column('kind', sa.String(40), primary_key=True),
        sa.Column('months', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('changed_by', sa.Integer(), nullable=True),
    )
    for table in ('meldingen', 'appointments', 'callback_notes', 'complaints'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
            if table == 'meldingen':
                batch.add_column(sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=True))
    # Retention finds its work by these dates.
    op.create_index('ix_meldingen_closed', 'meldingen', ['closed_at'])
    op.create_index('ix_appointments_slot_end', 'appointments', ['slot_end'])

    # Existing users keep what they could do.
    op.execute(sa.text("INSERT INTO user_locations (user_id, location_id) "
                       "SELECT id, NULL FROM users WHERE role = 'beheerder'"))
    op.execute(sa.text("INSERT INTO user_locations (user_id, location_id) "
                       "SELECT u.id, l.id FROM users u CROSS JOIN locations l WHERE u.role <> 'beheerder'"))

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(sa.text(_REFUSE_FN))
        op.execute(sa.text(
            "CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"))
        op.execute(sa.text(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(sa.text("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log"))
        op.execute(sa.text("DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log"))
        op.execute(sa.text("DROP FUNCTION IF EXISTS audit_log_append_only()"))
    op.drop_index('ix_appointments_slot_end', 'appointments')
    op.drop_index('ix_meldingen_closed', 'meldingen')
    for table in ('meldingen', 'appointments', 'callback_notes', 'complaints'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('anonymised_at')
            if table == 'meldingen':
                batch.drop_column('destroyed_at')
    op.drop_table('retention_settings')
    op.drop_table('audit_log')
    op.drop_table('user_teams')
    op.drop_table('user_locations')
