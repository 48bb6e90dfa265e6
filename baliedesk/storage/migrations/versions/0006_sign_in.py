"""sign-in: credentials, sessions, failed-try counters, devices

Passwords (Argon2id hashes) live in ``user_credentials``, not in ``users``;
sessions keep only the SHA-256 of their token; ``sign_in_attempts`` counts
failed tries per account name and per workstation address; ``devices`` are
kiosks and hall screens, each acting as a ``users`` row of its role.

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'user_credentials',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('must_change_password', sa.Boolean(), nullable=False),
        sa.Column('changed_at', _TS, nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )
    op.create_table(
        'devices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=True),
        sa.Column('code_expires_at', _TS, nullable=True),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('enrolled_at', _TS, nullable=True),
        sa.Column('enrolled_address', sa.String(length=80), nullable=False),
        sa.Column('revoked_at', _TS, nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id']),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id'),
        sa.UniqueConstraint('code_hash'),
    )
    op.create_table(
        'sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('device_id', sa.Integer(), nullable=True),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('expires_at', _TS, nullable=False),
        sa.Column('idle_timeout_s', sa.Integer(), nullable=False),
        sa.Column('last_seen_at', _TS, nullable=False),
        sa.Column('revoked_at', _TS, nullable=True),
        sa.Column('address', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_sessions_user_open', 'sessions', ['user_id'],
                    postgresql_where=sa.text('revoked_at IS NULL'), sqlite_where=sa.text('revoked_at IS NULL'))
    op.create_table(
        'sign_in_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=10), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', _TS, nullable=True),
        sa.Column('next_attempt_at', _TS, nullable=True),
        sa.Column('locked_until', _TS, nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('scope', 'key', name='uq_sign_in_attempts_scope_key'),
    )


def downgrade() -> None:
    op.drop_table('sign_in_attempts')
    op.drop_index('ix_sessions_user_open', table_name='sessions')
    op.drop_table('sessions')
    op.drop_table('devices')
    op.drop_table('user_credentials')
