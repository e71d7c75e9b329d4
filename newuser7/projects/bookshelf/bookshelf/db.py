import sqlite3

import click
from flask import current_app, g

SCHEMA = """
CREATE TABLE IF NOT EXISTS book (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  author TEXT NOT NULL
);
"""


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(e=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


def ensure_schema():
    get_db().executescript(SCHEMA)


@click.command("ensure-schema")
def ensure_schema_command():
    """Create missing tables (keeps data)."""
    ensure_schema()
    click.echo("schema ready")


def init_app(app):
    app.teardown_appcontext(close_db)
    app.cli.add_command(ensure_schema_command)
