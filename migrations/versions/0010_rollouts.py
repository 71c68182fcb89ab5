"""Rollouts in waves: the random split of a rollout, stored once with its seed

Revision ID: 0010_rollouts
Revises: 0009_sessions_tokens_limits
Create Date: 2026-12-03 22:30:00

* ``rollouts``: a path or module rolled out in waves (randomised: first wave and waitlist;
  staggered: k waves), with the seed of its split, when it was made and by whom.
* ``rollout_members``: each person's stratum at the split (team, hire month), wave, start day
  and, once the wave has started, the assignment it gave.

Assignments (already watched by the change counters of 0006) are what the reports read; a
rollout only decides when they are made, so these tables need no triggers.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_rollouts'
down_revision = '0009_sessions_tokens_limits'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rollouts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('design', sa.String(length=16), nullable=False),
        sa.Column('seed', sa.BigInteger(), nullable=False),
        sa.Column('made_at', sa.DateTime(), nullable=False),
        sa.Column('made_by_id', sa.Integer(), nullable=True),
        sa.Column('first_start', sa.Date(), nullable=False),
        sa.Column('interval_days', sa.Integer(), nullable=False),
        sa.Column('waves', sa.Integer(), nullable=False),
        sa.Column('due_days', sa.Integer(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("design IN ('randomised', 'staggered')",
                           name=op.f('ck_rollouts_design')),
        sa.CheckConstraint('waves >= 2', name=op.f('ck_rollouts_waves')),
        sa.ForeignKeyConstraint(['item_id'], ['content_items.id'],
                                name=op.f('fk_rollouts_item_id_content_items'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['made_by_id'], ['users.id'],
                                name=op.f('fk_rollouts_made_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rollouts')),
    )
    op.create_index(op.f('ix_rollouts_item_id'), 'rollouts', ['item_id'])
    op.create_table(
        'rollout_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rollout_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('hire_cohort', sa.String(length=7), nullable=True),
        sa.Column('wave', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'],
                                name=op.f('fk_rollout_members_assignment_id_assignments'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['rollout_id'], ['rollouts.id'],
                                name=op.f('fk_rollout_members_rollout_id_rollouts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'],
                                name=op.f('fk_rollout_members_team_id_teams'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_rollout_members_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rollout_members')),
        sa.UniqueConstraint('rollout_id', 'user_id',
                            name=op.f('uq_rollout_members_rollout_id_user_id')),
    )
    op.create_index(op.f('ix_rollout_members_user_id'), 'rollout_members', ['user_id'])
    op.create_index(op.f('ix_rollout_members_starts_on'), 'rollout_members', ['starts_on'])


def downgrade():
    op.drop_table('rollout_members')
    op.drop_table('rollouts')
