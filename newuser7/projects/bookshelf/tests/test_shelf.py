from bookshelf import create_app
from bookshelf.db import ensure_schema


def test_add_and_list(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "t.sqlite")})
    with app.app_context():
        ensure_schema()
    c = app.test_client()
    assert c.post("/books/", data={"title": "Dune", "author": "Herbert"}).status_code == 302
    assert b"Dune" in c.get("/books/").data
    assert c.get("/healthz").json == {"ok": True}
