"""Debian 12 (bookworm): Python 3.11, mod_wsgi 4.9, Apache 2.4 with Debian's a2en* layout."""

from __future__ import annotations

from .apache_wsgi import DEBIAN, SSHD_KEYWORDS_9_2
from .base import Stack

STACK = Stack(
    name="debian12-apache-wsgi", platform="debian12", title="Debian 12 (bookworm)",
    os_id="debian", version_id="12", codename="bookworm",
    python_version="3.11", python="/usr/bin/python3.11", mod_wsgi_major="4", sshd_keywords=SSHD_KEYWORDS_9_2,
    **DEBIAN,
    # images: dockerfiles/apache-wsgi and dockerfiles/bare FROM debian:bookworm-slim (debootstrap bookworm if absent)
    image="debian-apache-wsgi", bare_image="debian-bare", base_image="debian:bookworm-slim", base_suite="bookworm",
)
