"""Login sessions on the server, token expiry, rate-limit counters in the database

Revision ID: 0009_sessions_tokens_limits
Revises: 0008_watch_path_completions
Create Date: 2026-11-27 10:00:00

* ``login_sessions``: one row per login, named by the session and remember-me cookies. Logout
  deletes its row, so a copied cookie dies with it; it replaces ``users.session_token``, which
  could only end all of a person's sessions at once. Everyone logs in again once after this.
* ``api_tokens.expires_at``: an optional end date chosen when the token is made.
* ``rate_limits``: the login limit's counters, shared by every worker process and server.

None of these is data the reports read: no change-counter triggers (0006). ``users`` keeps its
triggers: SQLite's own DROP COLUMN alters the table in place instead of re-creating it.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_sessions_tokens_limits'
down_revision = '0008_watch_path_completions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_login_sessions_key_hash')),
    )
    op.create_index(op.f('ix_login_sessions_user_id'), 'login_sessions', ['user_id'])
    op.create_index(op.f('ix_login_sessions_expires_at'), 'login_sessions', ['expires_at'])

    op.create_table(
        'rate_limits',
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('count', sa.BigInteger(), nullable=False),
        sa.Column('expires_at', sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint('key_hash', name=op.f('pk_rate_limits')),
    )
    op.create_index(op.f('ix_rate_limits_expires_at'), 'rate_limits', ['expires_at'])

    op.add_column('api_tokens', sa.Column('expires_at', sa.DateTime(), nullable=True))

    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE users DROP COLUMN session_token')
    else:
        op.drop_column('users', 'session_token')


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.add_column('users', sa.Column('session_token', sa.String(length=32), nullable=False,
                                     server_default=''))
    # A fresh random token each: the old code takes the column for part of the session id.
    random_hex = 'lower(hex(randomblob(16)))' if sqlite else 'md5(random()::text)'
    op.execute(f'UPDATE users SET session_token = {random_hex}')
    if not sqlite:
        op.alter_column('users', 'session_token', server_default=None)

    if sqlite:
        op.execute('ALTER TABLE api_tokens DROP COLUMN expires_at')
    else:
        op.drop_column('api_tokens', 'expires_at')
    op.drop_index(op.f('ix_rate_limits_expires_at'), table_name='rate_limits')
    op.drop_table('rate_limits')
    op.drop_index(op.f('ix_login_sessions_expires_at'), table_name='login_sessions')
    op.drop_index(op.f('ix_login_sessions_user_id'), table_name='login_sessions')
    op.drop_table('login_sessions')
