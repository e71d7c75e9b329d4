import os

from .base import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")  # the servers: from the config below
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DJANGO_DB_PATH", str(BASE_DIR / "db.sqlite3")),
    }
}
SESSION_COOKIE_SECURE = False

from pathlib import Path  # noqa: E402

if os.environ.get("INVENTORY_CONFIG"):  # the servers' settings (deploytests installs the file)
    exec(Path(os.environ["INVENTORY_CONFIG"]).read_text())
