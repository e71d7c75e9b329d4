from flask import Blueprint, current_app, redirect, render_template, request, url_for

from .db import get_db

bp = Blueprint("shelf", __name__, url_prefix="/books")


@bp.route("/", methods=["GET", "POST"])
def index():
    db = get_db()
    if request.method == "POST":
        db.execute("INSERT INTO book (title, author) VALUES (?, ?)",
                   (request.form["title"], request.form["author"]))
        db.commit()
        return redirect(url_for("shelf.index"))
    books = db.execute("SELECT title, author FROM book ORDER BY id").fetchall()
    return render_template("index.html", books=books, name=current_app.config["SHELF_NAME"])
