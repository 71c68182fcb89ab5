"""Team chat: Teams and Slack webhooks per team, and the messages posted to them

Revision ID: 0024_chat_webhooks
Revises: 0023_crm_sync
Create Date: 2026-12-04 18:30:00

* ``team_webhooks``: a team's webhook (kind, encrypted address and a masked hint, what it gets).
* ``chat_deliveries``: one row per webhook, kind and period, inserted before the message is
  posted (the unique key is the once-only guarantee) and kept as its outbox: tries, back-off,
  the last error, when it was delivered.
New tables only.
"""
import sqlalchemy as sa
from alembic import op

revision = '0024_chat_webhooks'
down_revision = '0023_crm_sync'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'team_webhooks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('channel', sa.String(length=100), nullable=False),
        sa.Column('url_encrypted', sa.Text(), nullable=False),
        sa.Column('url_hint', sa.String(length=120), nullable=False),
        sa.Column('digest', sa.Boolean(), nullable=False),
        sa.Column('summary', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('teams', 'slack')", name=op.f('ck_team_webhooks_kind')),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'],
                                name=op.f('fk_team_webhooks_team_id_teams'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_team_webhooks')),
    )
    op.create_index(op.f('ix_team_webhooks_team_id'), 'team_webhooks', ['team_id'],
                    unique=False)
    op.create_table(
        'chat_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('webhook_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('period', sa.Date(), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('claimed_until', sa.DateTime(), nullable=True),
        sa.Column('last_tried_at', sa.DateTime(), nullable=True),
        sa.Column('next_try_at', sa.DateTime(), nullable=True),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.Column('failed_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['webhook_id'], ['team_webhooks.id'],
                                name=op.f('fk_chat_deliveries_webhook_id_team_webhooks'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_deliveries')),
        sa.UniqueConstraint('webhook_id', 'kind', 'period',
                            name=op.f('uq_chat_deliveries_webhook_id_kind_period')),
    )


def downgrade():
    op.drop_table('chat_deliveries')
    op.drop_index(op.f('ix_team_webhooks_team_id'), table_name='team_webhooks')
    op.drop_table('team_webhooks')
