"""Reusable checks of a deployed server: host state, HTTP probes, failure diagnostics.

Usable without pytest (they raise ``AssertionError`` with the whole context) and by the suite.
"""

from .diagnostics import collect
from .host import PathFacts, assert_ok, assert_path, describe_result, stat_paths, wsgi_daemons
from .http import HttpClient, assert_header, assert_not_served, assert_status, describe

__all__ = ["collect", "PathFacts", "assert_ok", "assert_path", "describe_result",
           "stat_paths", "wsgi_daemons", "HttpClient", "assert_header", "assert_not_served", "assert_status",
           "describe"]
