"""Debian 13 (trixie): Python 3.13, mod_wsgi 5, Apache 2.4 with Debian's a2en* layout."""

from __future__ import annotations

from .apache_wsgi import DEBIAN, SSHD_KEYWORDS_9_2, SSHD_KEYWORDS_10
from .base import Stack

STACK = Stack(
    name="debian13-apache-wsgi", platform="debian13", title="Debian 13 (trixie)",
    os_id="debian", version_id="13", codename="trixie",
    python_version="3.13", python="/usr/bin/python3.13", mod_wsgi_major="5",
    sshd_keywords=SSHD_KEYWORDS_9_2 + SSHD_KEYWORDS_10,
    **DEBIAN,
    # images: dockerfiles/apache-wsgi and dockerfiles/bare FROM debian:trixie-slim (debootstrap trixie if absent)
    image="debian13-apache-wsgi", bare_image="debian13-bare", base_image="debian:trixie-slim", base_suite="trixie",
)
