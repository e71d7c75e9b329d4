"""HTTP probes of a deployed site, and assertions whose messages carry the whole exchange.

:class:`HttpClient` is a :class:`requests.Session` bound to one server's base URL. The assertion helpers
hide themselves from tracebacks and, on failure, quote the URL, the status, the headers and the start of
the body, so a red test says what was asked and what came back.
"""

from __future__ import annotations

import requests

BODY_CHARS = 400


class SiteDown(AssertionError):
    """The site did not answer at all (connection refused or reset, no answer in time): one line, no urllib3
    traceback. An :class:`AssertionError`, so a check that meets it fails rather than errors."""


def _why(exc: requests.RequestException) -> str:
    """A few words for a failed connection, from the exception chain (the root cause's errno and kind)."""
    text = str(exc)
    if isinstance(exc, requests.Timeout):
        return "no answer in time (read or connect timeout)"
    if "Connection refused" in text or "[Errno 111]" in text:
        return "connection refused (nothing listens there: is Apache running?)"
    if "Connection reset" in text or "RemoteDisconnected" in text or "aborted" in text:
        return "connection closed without an answer (nothing serves there: is Apache running?)"
    if "Name or service not known" in text or "NameResolutionError" in text:
        return "the host name does not resolve"
    return f"{type(exc).__name__}: {text.splitlines()[0][:200]}"


class HttpClient:
    """Requests to relative paths against ``base_url`` with one pooled session (no proxies from the env):
    ``get``, ``post``, ``put``, ``patch``, ``delete``, ``head``, or ``request(method, path)``. Cookies persist
    across calls (a login then a form post work as in a browser); redirects are not followed unless asked.

    A site that refuses the connection (or never answers) raises :class:`SiteDown` with one line; the client
    remembers it, and later requests raise the same line at once instead of waiting again: a check suite
    against a dead site then fails quickly, with one clear line per check."""

    def __init__(self, base_url: str, *, timeout: float = 10.0, host_header: str | None = None):
        self.base_url, self.timeout = base_url.rstrip("/"), timeout
        self.session = requests.Session()
        self.session.trust_env = False
        self.down: str | None = None
        if host_header:
            self.session.headers["Host"] = host_header

    def url(self, path: str) -> str:
        return self.base_url + "/" + path.lstrip("/")

    def request(self, method: str, path: str = "/", **kwargs) -> requests.Response:
        __tracebackhide__ = True
        url = self.url(path)
        if self.down is not None:
            raise SiteDown(f"{method} {url}: {self.down} (failed before: not tried again)")
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("allow_redirects", False)
        try:
            return self.session.request(method, url, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            self.down = _why(exc)
            raise SiteDown(f"{method} {url}: {self.down}") from None

    def get(self, path: str = "/", **kwargs) -> requests.Response:
        __tracebackhide__ = True
        return self.request("GET", path, **kwargs)

    def post(self, path: str = "/", **kwargs) -> requests.Response:
        __tracebackhide__ = True
        return self.request("POST", path, **kwargs)

    def put(self, path: str = "/", **kwargs) -> requests.Response:
        __tracebackhide__ = True
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str = "/", **kwargs) -> requests.Response:
        __tracebackhide__ = True
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str = "/", **kwargs) -> requests.Response:
        __tracebackhide__ = True
        return self.request("DELETE", path, **kwargs)

    def head(self, path: str = "/", **kwargs) -> requests.Response:
        __tracebackhide__ = True
        return self.request("HEAD", path, **kwargs)

    def close(self) -> None:
        self.session.close()


def describe(resp: requests.Response, body_chars: int = BODY_CHARS) -> str:
    """``GET URL -> STATUS REASON``, the headers, and the first ``body_chars`` characters of the body (``repr``);
    what the server sent made safe for a terminal (:mod:`deploytests.untrusted`)."""
    from ..untrusted import line

    headers = "\n".join(f"    {line(k, 200)}: {line(v, 500)}" for k, v in list(resp.headers.items())[:50])
    body = resp.text[:body_chars] + ("..." if len(resp.text) > body_chars else "")
    return (f"{resp.request.method} {resp.url} -> {resp.status_code} {line(resp.reason, 200)}\n"
            f"  headers:\n{headers}\n  body: {line(repr(body))}")


def assert_status(resp: requests.Response, expected: int = 200) -> requests.Response:
    """Fail unless the status is ``expected``."""
    __tracebackhide__ = True
    if resp.status_code != expected:
        raise AssertionError(f"expected HTTP {expected}, got {resp.status_code}\n{describe(resp)}")
    return resp


def assert_header(resp: requests.Response, name: str, expected: str) -> None:
    """Fail unless header ``name`` equals ``expected``."""
    __tracebackhide__ = True
    found = resp.headers.get(name)
    if found != expected:
        raise AssertionError(f"expected header {name}: {expected!r}, found {found!r}\n{describe(resp)}")


def assert_not_served(resp: requests.Response, forbidden: str) -> None:
    """Fail if the response is a 200 or its body contains ``forbidden`` (a file that must stay private).

    ``forbidden`` is quoted by length only: it may be secret.
    """
    __tracebackhide__ = True
    leaked = forbidden and forbidden in resp.text
    if resp.status_code == 200 or leaked:
        what = "served the file's content" if leaked else "answered 200"
        raise AssertionError(f"{resp.url} must not be downloadable, but it {what} "
                             f"(status {resp.status_code}, {len(resp.content)} bytes)")
