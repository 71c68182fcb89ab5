"""Path certificates count as learning data for the reports' cache

Revision ID: 0008_watch_path_completions
Revises: 0007_sales_repeat_index
Create Date: 2026-11-26 22:15:00

The readiness report now reads path_completions (a lapsed certificate makes a past-due path
assignment overdue), so a change there must change the "learning" counter, with the same
triggers as migration 0006.
"""
from alembic import op


revision = '0008_watch_path_completions'
down_revision = '0007_sales_repeat_index'
branch_labels = None
depends_on = None

TABLE = 'path_completions'


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"""
            CREATE CONSTRAINT TRIGGER {TABLE}_counts_change
            AFTER INSERT OR UPDATE OR DELETE ON {TABLE}
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
            EXECUTE FUNCTION lms_count_change('learning')""")
        return
    bump = ("INSERT INTO change_counters (name, number) VALUES ('learning', 1) "
            "ON CONFLICT (name) DO UPDATE SET number = number + 1;")
    for suffix, event in (('insert', 'INSERT'), ('update', 'UPDATE'), ('delete', 'DELETE')):
        op.execute(f"CREATE TRIGGER {TABLE}_counts_{suffix} AFTER {event} ON {TABLE} "
                   f"BEGIN {bump} END")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"DROP TRIGGER {TABLE}_counts_change ON {TABLE}")
        return
    for suffix in ('insert', 'update', 'delete'):
        op.execute(f"DROP TRIGGER {TABLE}_counts_{suffix}")
