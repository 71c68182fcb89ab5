"""Content in more than one language: each version's language, the current translation of an
item per language, and the language an attempt was taken in

Revision ID: 0014_content_translations
Revises: 0013_user_locale
Create Date: 2026-12-04 11:30:00

Versions are numbered per language: a trainer's "version 3" of the original is the third
original, whatever the translations did meanwhile.

Existing versions get the language their text names (``language: xx`` in the front matter or
at the top of a quiz or path), else "en", the default the parser has always applied.
"""
import re

import sqlalchemy as sa
from alembic import op


revision = '0014_content_translations'
down_revision = '0013_user_locale'
branch_labels = None
depends_on = None

_LANGUAGE = re.compile(r"^language:[ \t]*['\"]?([a-z]{2})['\"]?[ \t]*(#.*)?$", re.MULTILINE)


def upgrade():
    # Plain ADD COLUMN, not a batch copy: on SQLite a copy would drop the tables' triggers.
    op.add_column('content_versions', sa.Column('language', sa.String(length=8),
                                                nullable=False, server_default='en'))
    op.add_column('content_versions', sa.Column('translated', sa.Boolean(), nullable=False,
                                                server_default=sa.false()))
    op.add_column('attempts', sa.Column('language', sa.String(length=8), nullable=False,
                                        server_default='en'))
    _swap_unique(('item_id', 'number'), ('item_id', 'language', 'number'))
    op.create_table(
        'content_translations',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['content_items.id'],
                                name=op.f('fk_content_translations_item_id_content_items'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['version_id'], ['content_versions.id'],
                                name=op.f('fk_content_translations_version_id_content_versions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('item_id', 'language', name=op.f('pk_content_translations')),
    )
    connection = op.get_bind()
    versions = sa.table('content_versions', sa.column('id'), sa.column('source'),
                        sa.column('language'))
    for version_id, source in connection.execute(sa.select(versions.c.id, versions.c.source)):
        match = _LANGUAGE.search(source or "")
        if match and match.group(1) != "en":
            connection.execute(versions.update().where(versions.c.id == version_id)
                               .values(language=match.group(1)))


def _swap_unique(drop, create):
    """Drop and/or create a unique constraint on content_versions. SQLite copies the table to
    do it, and the copy would lose the table's change-counter triggers (0006): they are put
    back."""
    connection = op.get_bind()
    triggers = []
    if connection.dialect.name == 'sqlite':
        triggers = connection.execute(sa.text(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'content_versions'")).scalars().all()
    with op.batch_alter_table('content_versions') as batch_op:
        if drop:
            batch_op.drop_constraint('uq_content_versions_' + '_'.join(drop), type_='unique')
        if create:
            batch_op.create_unique_constraint('uq_content_versions_' + '_'.join(create),
                                              list(create))
    for sql in triggers:
        connection.execute(sa.text(sql))


def downgrade():
    op.drop_table('content_translations')
    op.execute("DELETE FROM content_versions WHERE translated AND id NOT IN "
               "(SELECT quiz_version_id FROM attempts)")
    # One numbering per item again: versions in the order they were stored.
    _swap_unique(('item_id', 'language', 'number'), None)
    op.execute("UPDATE content_versions SET number = (SELECT count(*) FROM content_versions "
               "AS earlier WHERE earlier.item_id = content_versions.item_id "
               "AND earlier.id <= content_versions.id)")
    _swap_unique(None, ('item_id', 'number'))
    op.drop_column('attempts', 'language')
    op.drop_column('content_versions', 'translated')
    op.drop_column('content_versions', 'language')
