"""Debian 13 (trixie): Python 3.13, mod_wsgi 5, Apache 2.4 with Debian's a2en* layout."""

from __future__ import annotations

from .apache_wsgi import DEBIAN
from .base import Stack

STACK = Stack(
    name="debian13-apache-wsgi", platform="debian13", title="Debian 13 (trixie)",
    os_id="debian", version_id="13", codename="trixie",
    python_version="3.13", python="/usr/bin/python3.13", mod_wsgi_major="5",
    **DEBIAN,
    # images: dockerfiles/apache-wsgi and dockerfiles/bare FROM debian:trixie-slim (debootstrap trixie if absent)
    image="debian13-apache-wsgi", bare_image="debian13-bare", base_image="debian:trixie-slim", base_suite="trixie",
)
