"""bookshelf: the books we own."""
import os

from flask import Flask


def create_app(test_config=None):
    app = Flask(__name__, instance_path=os.path.abspath("instance"), instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "bookshelf.sqlite"),
        SHELF_NAME="my shelf",
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    from . import db, shelf
    db.init_app(app)
    app.register_blueprint(shelf.bp)

    @app.get("/healthz")
    def healthz():
        db.get_db().execute("SELECT 1").fetchone()
        return {"ok": True}

    return app
