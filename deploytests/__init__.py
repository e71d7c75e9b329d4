"""deploytests: deploy Flask/WSGI apps to Apache + mod_wsgi over SSH with Fabric, and prove it with pytest."""

__version__ = "0.1.0"
