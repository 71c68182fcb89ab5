"""WSGI entry point: ``gunicorn wsgi:app``.

The site refuses to start, with one line on stderr, when the database is unreachable or not
at the newest migration (run ``lms init``). The exit status 4 is gunicorn's "app failed to
load": its master stops instead of starting the worker again and again.
"""

from lms import create_app
from lms.maintenance.commands import refuse_to_start

app = create_app()
refuse_to_start(app, exit_code=4)
