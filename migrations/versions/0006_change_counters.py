"""Change counters kept by triggers; latest reading per person by index

Revision ID: 0006_change_counters
Revises: 0005_digest_unique
Create Date: 2026-11-26 20:50:00

The reports' cache is keyed by the data's version. Before this, the version was read from
maximum ids, counts and sums, and reading a module (an update in place) needed a scan of
module_progress to be seen. Triggers now count every change of what the reports read, in
``change_counters``, whoever writes (the app, a bulk load, a person with psql), so reading the
version is one primary-key look-up and every change shows at once.

On PostgreSQL the counters are bumped by deferred constraint triggers, which run at commit:
the counter row is the last lock a transaction takes, so writers cannot deadlock on it and
hold it only for their commit. SQLite runs one writer at a time and bumps it at once.

Careful: on SQLite, a later batch migration that *recreates* one of the watched tables drops
its triggers; re-create them there (tests/db/test_migrations.py checks each table bumps).
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_change_counters'
down_revision = '0005_digest_unique'
branch_labels = None
depends_on = None

#: counter -> {table: the columns whose update counts (empty: any update)}. Columns that only
#: record housekeeping (users.last_login_at, attempts' saved-answer times) are left out.
WATCHED = {
    'content': {
        'content_items': ('slug', 'current_version_id', 'retired_at'),
        'content_versions': (),
    },
    'learning': {
        'users': ('email', 'name', 'role', 'active', 'hire_date', 'team_id', 'manager_id'),
        'teams': ('name', 'parent_id', 'active'),
        'assignments': (),
        'module_progress': (),
        'attempts': ('user_id', 'quiz_id', 'quiz_version_id', 'status', 'started_at'),
        'submissions': (),
    },
}


def _triggers():
    for counter, tables in WATCHED.items():
        for table, columns in tables.items():
            yield counter, table, columns


def upgrade():
    op.create_table(
        'change_counters',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('number', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_change_counters')),
    )
    op.bulk_insert(sa.table('change_counters', sa.column('name'), sa.column('number')),
                   [{'name': name, 'number': 0} for name in WATCHED])

    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        # An upsert, so that a counter row deleted by hand (or a TRUNCATE) comes back.
        op.execute("""
            CREATE FUNCTION lms_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO change_counters (name, number) VALUES (TG_ARGV[0], 1)
                ON CONFLICT (name) DO UPDATE SET number = change_counters.number + 1;
                RETURN NULL;
            END $$""")
    for counter, table, columns in _triggers():
        update = 'UPDATE' + (f" OF {', '.join(columns)}" if columns else '')
        if postgres:
            op.execute(f"""
                CREATE CONSTRAINT TRIGGER {table}_counts_change
                AFTER INSERT OR {update} OR DELETE ON {table}
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                EXECUTE FUNCTION lms_count_change('{counter}')""")
            continue
        bump = (f"INSERT INTO change_counters (name, number) VALUES ('{counter}', 1) "
                f"ON CONFLICT (name) DO UPDATE SET number = number + 1;")
        for suffix, event in (('insert', 'INSERT'), ('update', update), ('delete', 'DELETE')):
            op.execute(f"CREATE TRIGGER {table}_counts_{suffix} AFTER {event} ON {table} "
                       f"BEGIN {bump} END")

    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_module_progress_user_id')
        batch_op.create_index('ix_module_progress_user_id_last_opened_at',
                              ['user_id', 'last_opened_at'], unique=False)


def downgrade():
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_module_progress_user_id_last_opened_at')
        batch_op.create_index('ix_module_progress_user_id', ['user_id'], unique=False)
    postgres = op.get_bind().dialect.name == 'postgresql'
    for _, table, _ in _triggers():
        if postgres:
            op.execute(f"DROP TRIGGER {table}_counts_change ON {table}")
        else:
            for suffix in ('insert', 'update', 'delete'):
                op.execute(f"DROP TRIGGER {table}_counts_{suffix}")
    if postgres:
        op.execute("DROP FUNCTION lms_count_change()")
    op.drop_table('change_counters')
