"""The floor for ``bench/web.py``: a bare Flask app whose one page renders an 11 KB page from a
Jinja template (a heading, a paragraph and a 115-row table), served by gunicorn under the same
settings as the site. Nothing else: no database, no session, no extensions."""

from __future__ import annotations

from flask import Flask, render_template
from jinja2 import DictLoader

app = Flask(__name__)

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ intro }}</p>
<table><thead><tr><th>Name</th><th>Team</th><th>Score</th><th>Status</th></tr></thead>
<tbody>{% for row in rows %}<tr><td>{{ row.name }}</td><td>{{ row.team }}</td>
<td>{{ "%.1f"|format(row.score) }}</td><td>{{ row.status }}</td></tr>{% endfor %}</tbody>
</table></main></body></html>"""

# Loaded like a template file, so Jinja compiles it once, as it does the site's templates.
app.jinja_loader = DictLoader({"page.html": TEMPLATE})

ROWS = [{"name": f"Salesperson number {i:03d}", "team": f"Team region {i % 4}",
         "score": 50 + i * 0.7, "status": "ready" if i % 3 else "at risk"} for i in range(115)]


@app.route("/")
def page() -> str:
    return render_template("page.html", title="Readiness of the bare team",
                                  intro="A bare page: " + "words " * 40, rows=ROWS)


if __name__ == "__main__":
    print("bench/bare_app.py is the bare page bench/web.py measures against; run bench/web.py")
