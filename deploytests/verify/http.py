"""HTTP probes of a deployed site, and assertions whose messages carry the whole exchange.

:class:`HttpClient` is a :class:`requests.Session` bound to one server's base URL. The assertion helpers
hide themselves from tracebacks and, on failure, quote the URL, the status, the headers and the start of
the body, so a red test says what was asked and what came back.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from functools import partialmethod
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ..waiting import DEADLINES

BODY_CHARS = 400
BODY_LIMIT = 16 << 20  # bytes of a body kept at most (decoded): the rest is not read
DEADLINE = 30.0  # seconds one answer may take in all, headers and body (the site paces them: the app's choice)


def site_host(base_url: str, server_name: str) -> str | None:
    """The ``Host`` the runner's requests to ``base_url`` send: the app's ``server_name`` when ``base_url`` names
    an address (an IP literal or ``localhost``: the docker target's ``http://127.0.0.1:32768``) that is not that
    name, as the server's own gate does; None (the URL's own host) when it names a host (staging's
    ``https://staging.example.com``: DNS and TLS name the site). Class closed: the runner's Host was the
    container's ``127.0.0.1:PORT``, not the app's name, and an app allowing only its name (Django's
    ``ALLOWED_HOSTS``, Flask's ``TRUSTED_HOSTS``) answered the gate's GETs 400."""
    host = (urlsplit(base_url).hostname or "").lower()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host != "localhost":
            return None
    return None if host == server_name.lower() else server_name


class SiteDown(AssertionError):
    """The site did not answer at all (connection refused or reset, no answer in time): one line, no urllib3
    traceback. An :class:`AssertionError`, so a check that meets it fails rather than errors."""


def _why(exc: requests.RequestException, timeout: float = 0) -> str:
    """A few words for a failed connection, from the exception chain (the root cause's errno and kind); a
    timeout names its bound, ``timeout`` seconds."""
    text = str(exc)
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g} s (read or connect timeout)"
    if "Connection refused" in text or "[Errno 111]" in text:
        return "connection refused (nothing listens there: is Apache running?)"
    if "Connection reset" in text or "RemoteDisconnected" in text or "aborted" in text:
        return "connection closed without an answer (nothing serves there: is Apache running?)"
    if "Name or service not known" in text or "NameResolutionError" in text:
        return "the host name does not resolve"
    return f"{type(exc).__name__}: {text.splitlines()[0][:200]}"


class _Watch:
    """One request's deadline over the whole answer: when it passes, the sockets the request used are shut down,
    which ends a read blocked on a server that sends a byte now and then (``timeout`` bounds each read only).
    Kept by the runner's one deadline thread (:data:`deploytests.waiting.DEADLINES`): a thread started for each
    request (a ``Timer``) was ~0.25 ms of the runner's CPU a request, 23 GETs a host at the gate."""

    current = threading.local()

    def __init__(self, seconds: float):
        self.sockets: list[socket.socket] = []
        self.fired = False
        self.at = time.monotonic() + seconds

    def start(self) -> None:
        DEADLINES.at(self, self.at)

    def cancel(self) -> None:
        DEADLINES.drop(self)

    def due(self) -> None:
        self.fire()

    def add(self, sock) -> None:
        self.sockets.append(sock)
        if self.fired:
            self.fire()

    def fire(self) -> None:
        self.fired = True
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _watched(base):
    class Watched(base):  # the connection a request reads its answer on, known to that request's watch
        def getresponse(self, *args, **kwargs):
            watch = getattr(_Watch.current, "watch", None)
            if watch is not None and self.sock is not None:
                watch.add(self.sock)
            return super().getresponse(*args, **kwargs)
    return Watched


class _Pool(HTTPConnectionPool):
    ConnectionCls = _watched(HTTPConnection)


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _watched(HTTPSConnection)


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TLSPool}


class HttpClient:
    """Requests to relative paths against ``base_url`` with one pooled session (no proxies from the env):
    ``get``, ``post``, ``put``, ``patch``, ``delete``, ``head``, or ``request(method, path)``. Cookies persist
    across calls (a login then a form post work as in a browser); redirects are not followed unless asked.

    A site that refuses the connection (or never answers) raises :class:`SiteDown` with one line; the client
    remembers it, and later requests raise the same line at once instead of waiting again: a check suite
    against a dead site then fails quickly, with one clear line per check.

    The site (the app's code) chooses how much it sends and how fast: an answer is read within ``deadline``
    seconds in all (``timeout`` bounds each read), and at most ``limit`` bytes of its body are kept
    (``resp.cut``: the rest was not read). An answer that takes longer raises :class:`SiteDown`, naming the bound
    and, with ``slow_hint``, the setting that raises it."""

    def __init__(self, base_url: str, *, timeout: float = 10.0, host_header: str | None = None,
                 deadline: float = DEADLINE, limit: int = BODY_LIMIT, slow_hint: str = ""):
        self.base_url, self.timeout, self.deadline, self.limit = base_url.rstrip("/"), timeout, deadline, limit
        self.slow_hint = slow_hint
        self.session = requests.Session()
        self.session.trust_env = False
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, _Adapter())
        self.down: str | None = None
        self.held_back: list[str] = []  # cookies the site set Secure over http://: never sent back (see request)
        self.errors: list[str] = []  # "GET /path answered 500", each 5xx answer in order: a failed check's cause
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
        stream = kwargs.pop("stream", False)
        watch = _Watch.current.watch = _Watch(self.deadline)
        watch.start()
        try:
            resp = self.session.request(method, url, stream=True, **kwargs)
            resp = resp if stream else _read(resp, watch, self.limit)
            if watch.fired:  # cut under a read (headers a server ends early parse as complete): not an answer
                raise requests.ConnectionError("the answer's deadline passed")
            if resp.status_code >= 500:
                self.errors.append(f"{method} {'/' + path.lstrip('/')} answered {resp.status_code}")
            if url.startswith("http://"):  # as a browser, the session sends a Secure cookie over https only
                self.held_back += [c.name for c in self.session.cookies if c.secure and c.name not in self.held_back]
            return resp
        except (requests.ConnectionError, requests.Timeout) as exc:
            self.down = (f"no whole answer within {self.deadline:g} s" if watch.fired
                         else _why(exc, kwargs["timeout"]))
            if (watch.fired or isinstance(exc, requests.Timeout)) and self.slow_hint:
                self.down += "; " + self.slow_hint
            raise SiteDown(f"{method} {url}: {self.down}") from None
        finally:
            watch.cancel()
            _Watch.current.watch = None

    # deploy_http.get("/health"), .post("/items", json=...): request() with the method filled in
    get, post, put = partialmethod(request, "GET"), partialmethod(request, "POST"), partialmethod(request, "PUT")
    patch, delete = partialmethod(request, "PATCH"), partialmethod(request, "DELETE")
    head = partialmethod(request, "HEAD")

    def close(self) -> None:
        self.session.close()


def _read(resp: requests.Response, watch: _Watch, limit: int) -> requests.Response:
    """``resp`` with its body read: at most ``limit`` bytes (decoded), before ``watch`` fires."""
    body, size = [], 0
    resp.cut = False  # type: ignore[attr-defined]
    try:
        for chunk in resp.iter_content(64 << 10):
            body.append(chunk[:limit - size])
            size += len(body[-1])
            if size >= limit:
                resp.cut = True  # type: ignore[attr-defined]
                break
            if watch.fired:
                raise requests.ConnectionError("the answer's deadline passed")
    except requests.RequestException:
        resp.close()
        if watch.fired:  # the socket was shut down under the read: the deadline, not the site's fault
            raise requests.ConnectionError("the answer's deadline passed") from None
        raise
    resp._content, resp._content_consumed = b"".join(body), True  # what ``resp.content`` and ``.text`` give
    resp.close()  # an answer cut short is not read further (its connection is dropped, not reused)
    return resp


def describe(resp: requests.Response, body_chars: int = BODY_CHARS) -> str:
    """``GET URL -> STATUS REASON``, the headers, and the first ``body_chars`` characters of the body (``repr``);
    what the server sent made safe for a terminal (:mod:`deploytests.untrusted`)."""
    from ..untrusted import line

    headers = "\n".join(f"    {line(k, 200)}: {line(v, 500)}" for k, v in list(resp.headers.items())[:50])
    body = resp.text[:body_chars] + ("..." if len(resp.text) > body_chars or getattr(resp, "cut", False) else "")
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


def served_as_file(resp: requests.Response) -> bool:
    """Whether a 200 is something Apache served, not the app's own answer: every response of the app passes through
    the ``.wsgi`` file deploys write, which tags it ``X-Deploy-Release`` (an app answering every path, a catch-all
    route, is not a file leaking)."""
    return resp.status_code == 200 and "X-Deploy-Release" not in resp.headers


def assert_not_served(resp: requests.Response, forbidden: str) -> None:
    """Fail if Apache served the path (a 200 not the app's own answer: :func:`served_as_file`) or the body
    contains ``forbidden`` (a file that must stay private).

    ``forbidden`` is quoted by length only: it may be secret.
    """
    __tracebackhide__ = True
    leaked = forbidden and forbidden in resp.text
    if served_as_file(resp) or leaked:
        what = "served the file's content" if leaked else "answered 200"
        raise AssertionError(f"{resp.url} must not be downloadable, but it {what} "
                             f"(status {resp.status_code}, {len(resp.content)} bytes)")
