"""Content in more than one language: each version's language, the current translation of an
item per language, and the language an attempt was taken in

Revision ID: 0014_content_translations
Revises: 0013_user_locale
Create Date: 2026-12-04 11:30:00

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
    op.add_column('attempts', sa.Column('language', sa.String(length=8), nullable=False,
                                        server_default='en'))
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


def downgrade():
    op.drop_table('content_translations')
    op.drop_column('attempts', 'language')
    op.drop_column('content_versions', 'language')
