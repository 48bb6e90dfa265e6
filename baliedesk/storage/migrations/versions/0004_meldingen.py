"""meldingen openbare ruimte, contacts, callback notes, complaints

Categories (two levels, team, term in working days), yearly record sequences,
meldingen with photos (BLOBs) and status history, contact registrations,
callback notes and complaints. Partial indexes on the open meldingen serve the
work list (team, due date) and the duplicate look-up at intake.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_OPEN = sa.text("state IN ('doorgezet', 'gemeld', 'heropend', 'in_behandeling')")
_CALLBACK_OPEN = sa.text("done_at IS NULL")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'melding_categories',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('main', sa.String(length=80), nullable=False),
        sa.Column('sub', sa.String(length=80), nullable=False),
        sa.Column('team', sa.String(length=80), nullable=False),
        sa.Column('term_days', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('main', 'sub', name='uq_melding_categories_main_sub'),
    )
    op.create_table(
        'record_sequences',
        sa.Column('kind', sa.String(length=2), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'year'),
    )
    op.create_table(
        'meldingen',
        sa.Column('id', _BIGID, nullable=False),
        sa.Column('number', sa.String(length=16), nullable=False),
        sa.Column('tracking_code', sa.String(length=12), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('team', sa.String(length=80), nullable=False),
        sa.Column('term_days', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('urgency', sa.String(length=10), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('street', sa.String(length=120), nullable=True),
        sa.Column('street_key', sa.String(length=120), nullable=True),
        sa.Column('house_number', sa.Integer(), nullable=True),
        sa.Column('house_addition', sa.String(length=12), nullable=True),
        sa.Column('postcode', sa.String(length=7), nullable=True),
        sa.Column('postcode_area', sa.String(length=4), nullable=True),
        sa.Column('place', sa.String(length=80), nullable=True),
        sa.Column('location_text', sa.String(length=300), nullable=True),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('reporter_name', sa.String(length=120), nullable=True),
        sa.Column('reporter_phone', sa.String(length=32), nullable=True),
        sa.Column('reporter_email', sa.String(length=254), nullable=True),
        sa.Column('wants_feedback', sa.Boolean(), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('changed_at', _TS, nullable=False),
        sa.Column('closed_at', _TS, nullable=True),
        sa.Column('linked_to_id', _BIGID, nullable=True),
        sa.Column('photo_count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id']),
        sa.ForeignKeyConstraint(['category_id'], ['melding_categories.id']),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.ForeignKeyConstraint(['linked_to_id'], ['meldingen.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number', name='uq_meldingen_number'),
        sa.UniqueConstraint('tracking_code', name='uq_meldingen_tracking_code'),
    )
    op.create_index('ix_meldingen_open_team_due', 'meldingen', ['team', 'due_date', 'id'],
                    postgresql_where=_OPEN, sqlite_where=_OPEN)
    op.create_index('ix_meldingen_open_due', 'meldingen', ['due_date', 'id'],
                    postgresql_where=_OPEN, sqlite_where=_OPEN)
    op.create_index('ix_meldingen_dup_street', 'meldingen', ['category_id', 'street_key', 'created_at'],
                    postgresql_where=_OPEN, sqlite_where=_OPEN)
    op.create_index('ix_meldingen_dup_area', 'meldingen', ['category_id', 'postcode_area', 'created_at'],
                    postgresql_where=_OPEN, sqlite_where=_OPEN)
    op.create_index('ix_meldingen_state_created', 'meldingen', ['state', 'created_at'])
    op.create_index('ix_meldingen_created', 'meldingen', ['created_at'])
    op.create_index('ix_meldingen_linked', 'meldingen', ['linked_to_id'])
    op.create_table(
        'melding_photos',
        sa.Column('id', _BIGID, nullable=False),
        sa.Column('melding_id', _BIGID, nullable=False),
        sa.Column('filename', sa.String(length=120), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', _TS, nullable=False),
        sa.ForeignKeyConstraint(['melding_id'], ['meldingen.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_melding_photos_melding', 'melding_photos', ['melding_id'])
    op.create_table(
        'melding_history',
        sa.Column('id', _BIGID, nullable=False),
        sa.Column('melding_id', _BIGID, nullable=False),
        sa.Column('at', _TS, nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('from_state', sa.String(length=16), nullable=True),
        sa.Column('to_state', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['melding_id'], ['meldingen.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_melding_history_melding', 'melding_history', ['melding_id', 'id'])
    op.create_table(
        'contacts',
        sa.Column('id', _BIGID, nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('result', sa.String(length=12), nullable=False),
        sa.Column('passed_to', sa.String(length=200), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('ticket_id', _BIGID, nullable=True),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id']),
        sa.ForeignKeyConstraint(['service_id'], ['services.id']),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_contacts_location_at', 'contacts', ['location_id', 'created_at'])
    op.create_table(
        'callback_notes',
        sa.Column('id', _BIGID, nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('caller_name', sa.String(length=120), nullable=False),
        sa.Column('phone', sa.String(length=32), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('for_team', sa.String(length=80), nullable=True),
        sa.Column('for_user_id', sa.Integer(), nullable=True),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('done_at', _TS, nullable=True),
        sa.Column('done_by', sa.Integer(), nullable=True),
        sa.Column('reached', sa.Boolean(), nullable=True),
        sa.Column('outcome', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id']),
        sa.ForeignKeyConstraint(['for_user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.ForeignKeyConstraint(['done_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_callback_notes_open_due', 'callback_notes', ['due_date', 'id'],
                    postgresql_where=_CALLBACK_OPEN, sqlite_where=_CALLBACK_OPEN)
    op.create_table(
        'complaints',
        sa.Column('id', _BIGID, nullable=False),
        sa.Column('number', sa.String(length=16), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('phone', sa.String(length=32), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('acknowledged_at', _TS, nullable=True),
        sa.Column('extended', sa.Boolean(), nullable=False),
        sa.Column('extension_reason', sa.Text(), nullable=True),
        sa.Column('outcome', sa.Text(), nullable=True),
        sa.Column('handled_at', _TS, nullable=True),
        sa.Column('handled_by', sa.Integer(), nullable=True),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id']),
        sa.ForeignKeyConstraint(['handled_by'], ['users.id']),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number', name='uq_complaints_number'),
    )
    op.create_index('ix_complaints_state_due', 'complaints', ['state', 'due_date'])


def downgrade() -> None:
    op.drop_index('ix_complaints_state_due', table_name='complaints')
    op.drop_table('complaints')
    op.drop_index('ix_callback_notes_open_due', table_name='callback_notes')
    op.drop_table('callback_notes')
    op.drop_index('ix_contacts_location_at', table_name='contacts')
    op.drop_table('contacts')
    op.drop_index('ix_melding_history_melding', table_name='melding_history')
    op.drop_table('melding_history')
    op.drop_index('ix_melding_photos_melding', table_name='melding_photos')
    op.drop_table('melding_photos')
    for name in ('ix_meldingen_linked', 'ix_meldingen_created', 'ix_meldingen_state_created', 'ix_meldingen_dup_area',
                 'ix_meldingen_dup_street', 'ix_meldingen_open_due', 'ix_meldingen_open_team_due'):
        op.drop_index(name, table_name='meldingen')
    op.drop_table('meldingen')
    op.drop_table('record_sequences')
    op.drop_table('melding_categories')
