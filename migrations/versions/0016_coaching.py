"""Coaching: rubric versions, rubrics, observations and their ratings

Revision ID: 0016_coaching
Revises: 0014_content_translations
Create Date: 2026-12-05 10:00:00

* ``rubric_versions``: each version of a rubric file (and its translations), immutable.
* ``rubrics``: a rubric by slug and its current version.
* ``coaching_observations``: what a manager observed, pinned to the rubric version rated on,
  with the next step (and the goal it became) and when the salesperson acknowledged it.
* ``coaching_ratings``: one rating per skill and observation, with the skill's name as it was.

New tables only: no existing table is copied, so no trigger is lost on SQLite.
"""
import sqlalchemy as sa
from alembic import op

revision = '0016_coaching'
down_revision = '0014_content_translations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rubric_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_versions')),
        sa.UniqueConstraint('slug', 'number', name=op.f('uq_rubric_versions_slug_number')),
        sa.UniqueConstraint('slug', 'content_hash',
                            name=op.f('uq_rubric_versions_slug_content_hash')),
    )
    op.create_table(
        'rubrics',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('current_version_id', sa.Integer(), nullable=False),
        sa.Column('retired_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['current_version_id'], ['rubric_versions.id'],
                                name=op.f('fk_rubrics_current_version_id_rubric_versions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rubrics')),
        sa.UniqueConstraint('slug', name=op.f('uq_rubrics_slug')),
    )
    op.create_table(
        'coaching_observations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('observer_id', sa.Integer(), nullable=True),
        sa.Column('rubric_version_id', sa.Integer(), nullable=False),
        sa.Column('scale_low', sa.Integer(), nullable=False),
        sa.Column('scale_high', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('observed_on', sa.Date(), nullable=False),
        sa.Column('strengths', sa.Text(), nullable=False),
        sa.Column('improvements', sa.Text(), nullable=False),
        sa.Column('next_step', sa.Text(), nullable=False),
        sa.Column('next_step_due', sa.Date(), nullable=False),
        sa.Column('goal_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('ride_along', 'call_review', 'role_play')",
                           name=op.f('ck_coaching_observations_kind')),
        sa.CheckConstraint('scale_low < scale_high',
                           name=op.f('ck_coaching_observations_scale')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_coaching_observations_user_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['observer_id'], ['users.id'],
                                name=op.f('fk_coaching_observations_observer_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(
            ['rubric_version_id'], ['rubric_versions.id'],
            name=op.f('fk_coaching_observations_rubric_version_id_rubric_versions')),
        sa.ForeignKeyConstraint(['goal_id'], ['goals.id'],
                                name=op.f('fk_coaching_observations_goal_id_goals'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_observations')),
    )
    op.create_index('ix_coaching_observations_user_id_observed_on', 'coaching_observations',
                    ['user_id', 'observed_on'])
    op.create_index(op.f('ix_coaching_observations_observer_id'), 'coaching_observations',
                    ['observer_id'])
    op.create_index(op.f('ix_coaching_observations_rubric_version_id'), 'coaching_observations',
                    ['rubric_version_id'])
    op.create_table(
        'coaching_ratings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('observation_id', sa.Integer(), nullable=False),
        sa.Column('skill_id', sa.String(length=64), nullable=False),
        sa.Column('skill_name', sa.String(length=200), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('rating', sa.Integer(), nullable=False),
        sa.CheckConstraint('rating >= 0', name=op.f('ck_coaching_ratings_rating')),
        sa.ForeignKeyConstraint(
            ['observation_id'], ['coaching_observations.id'],
            name=op.f('fk_coaching_ratings_observation_id_coaching_observations'),
            ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_ratings')),
        sa.UniqueConstraint('observation_id', 'skill_id',
                            name=op.f('uq_coaching_ratings_observation_id_skill_id')),
    )


def downgrade():
    op.drop_table('coaching_ratings')
    op.drop_index(op.f('ix_coaching_observations_rubric_version_id'),
                  table_name='coaching_observations')
    op.drop_index(op.f('ix_coaching_observations_observer_id'),
                  table_name='coaching_observations')
    op.drop_index('ix_coaching_observations_user_id_observed_on',
                  table_name='coaching_observations')
    op.drop_table('coaching_observations')
    op.drop_table('rubrics')
    op.drop_table('rubric_versions')
