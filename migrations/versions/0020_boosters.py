"""Spaced boosters: settings per content item, cards with FSRS state, reviews, pauses

Revision ID: 0020_boosters
Revises: 0019_sale_actions
Create Date: 2026-12-05 10:00:00

New tables only (no batch copy of an existing table, so no trigger is lost). Cards and reviews
bump the "learning" change counter like the other learner tables (0006), so the readiness
report's cache sees a booster answered.
"""
import sqlalchemy as sa
from alembic import op

revision = '0020_boosters'
down_revision = '0019_sale_actions'
branch_labels = None
depends_on = None

WATCHED = ('booster_cards', 'booster_reviews')


def upgrade():
    op.create_table(
        'booster_settings',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('per_day', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['item_id'], ['content_items.id'],
                                name=op.f('fk_booster_settings_item_id_content_items'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_booster_settings_updated_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('item_id', name=op.f('pk_booster_settings')),
    )
    op.create_table(
        'booster_cards',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.Integer(), nullable=False),
        sa.Column('quiz_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.String(length=100), nullable=False),
        sa.Column('learned_version_id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('state', sa.JSON(), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('last_review_at', sa.DateTime(), nullable=True),
        sa.Column('stability', sa.Float(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('retired_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_booster_cards_user_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['module_id'], ['content_items.id'],
                                name=op.f('fk_booster_cards_module_id_content_items'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['quiz_id'], ['content_items.id'],
                                name=op.f('fk_booster_cards_quiz_id_content_items'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['learned_version_id'], ['content_versions.id'],
                                name=op.f('fk_booster_cards_learned_version_id_content_versions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_booster_cards')),
        sa.UniqueConstraint('user_id', 'quiz_id', 'question_id',
                            name=op.f('uq_booster_cards_user_id_quiz_id_question_id')),
    )
    op.create_index('ix_booster_cards_user_id_due_at', 'booster_cards', ['user_id', 'due_at'])
    op.create_index(op.f('ix_booster_cards_module_id'), 'booster_cards', ['module_id'])
    op.create_table(
        'booster_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('quiz_version_id', sa.Integer(), nullable=False),
        sa.Column('response', sa.JSON(), nullable=True),
        sa.Column('correct', sa.Boolean(), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('rating', sa.Integer(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['card_id'], ['booster_cards.id'],
                                name=op.f('fk_booster_reviews_card_id_booster_cards'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_booster_reviews_user_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['quiz_version_id'], ['content_versions.id'],
                                name=op.f('fk_booster_reviews_quiz_version_id_content_versions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_booster_reviews')),
    )
    op.create_index(op.f('ix_booster_reviews_card_id'), 'booster_reviews', ['card_id'])
    op.create_index('ix_booster_reviews_user_id_answered_at', 'booster_reviews',
                    ['user_id', 'answered_at'])
    op.create_table(
        'booster_pauses',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('until', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_booster_pauses_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_booster_pauses')),
    )

    postgres = op.get_bind().dialect.name == 'postgresql'
    for table in WATCHED:
        if postgres:
            # lms_count_change() comes from 0006.
            op.execute(f"""
                CREATE CONSTRAINT TRIGGER {table}_counts_change
                AFTER INSERT OR UPDATE OR DELETE ON {table}
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                EXECUTE FUNCTION lms_count_change('learning')""")
            continue
        bump = ("INSERT INTO change_counters (name, number) VALUES ('learning', 1) "
                "ON CONFLICT (name) DO UPDATE SET number = number + 1;")
        for suffix in ('insert', 'update', 'delete'):
            op.execute(f"CREATE TRIGGER {table}_counts_{suffix} AFTER {suffix.upper()} "
                       f"ON {table} BEGIN {bump} END")


def downgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    for table in WATCHED:
        if postgres:
            op.execute(f"DROP TRIGGER {table}_counts_change ON {table}")
        else:
            for suffix in ('insert', 'update', 'delete'):
                op.execute(f"DROP TRIGGER {table}_counts_{suffix}")
    op.drop_table('booster_pauses')
    op.drop_index('ix_booster_reviews_user_id_answered_at', table_name='booster_reviews')
    op.drop_index(op.f('ix_booster_reviews_card_id'), table_name='booster_reviews')
    op.drop_table('booster_reviews')
    op.drop_index(op.f('ix_booster_cards_module_id'), table_name='booster_cards')
    op.drop_index('ix_booster_cards_user_id_due_at', table_name='booster_cards')
    op.drop_table('booster_cards')
    op.drop_table('booster_settings')
