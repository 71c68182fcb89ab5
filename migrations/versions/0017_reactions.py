"""Learners' reactions to modules and paths (three 1-5 scores and a comment)

Revision ID: 0017_reactions
Revises: 0016_coaching
Create Date: 2026-12-10 10:00:00

One row per person and content version: an answer, or "not now" (every score empty).
"""
import sqlalchemy as sa
from alembic import op


revision = '0017_reactions'
down_revision = '0016_coaching'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reactions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('useful', sa.SmallInteger(), nullable=True),
        sa.Column('clear', sa.SmallInteger(), nullable=True),
        sa.Column('recommend', sa.SmallInteger(), nullable=True),
        sa.Column('comment', sa.String(length=1000), nullable=False, server_default=''),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(useful IS NULL AND clear IS NULL AND recommend IS NULL) OR "
            "(useful BETWEEN 1 AND 5 AND clear BETWEEN 1 AND 5 AND recommend BETWEEN 1 AND 5)",
            name=op.f('ck_reactions_scores')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_reactions_user_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['item_id'], ['content_items.id'],
                                name=op.f('fk_reactions_item_id_content_items'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['version_id'], ['content_versions.id'],
                                name=op.f('fk_reactions_version_id_content_versions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reactions')),
        sa.UniqueConstraint('user_id', 'version_id',
                            name=op.f('uq_reactions_user_id_version_id')),
    )
    op.create_index(op.f('ix_reactions_item_id'), 'reactions', ['item_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_reactions_item_id'), table_name='reactions')
    op.drop_table('reactions')
