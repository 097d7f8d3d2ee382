"""JSON-RPC over HTTP, counted and kept lean.

Every request that goes over the wire (a batch is one) is seen by the `count_round_trips()`
recorders active at the time, so a benchmark or a test can say how many round trips a guard
review costs and to which node.

Requests go over one persistent `http.client` connection per thread and host (about 0.1 ms a
round trip to a local node, against 0.6 ms through `requests`); where a proxy applies, the URL
carries credentials or a custom CA bundle is configured, web3.py's `requests` session is used
as before.

Requests that web3.py answers from its own cache never reach the node and are not counted:
RPC connections cache `eth_chainId`, `net_version` and `web3_clientVersion` (the chain id was
checked on connect; web3's validation middleware would otherwise ask for it again before calls
and transactions).
"""

from __future__ import annotations

import functools
import http.client
import os
import ssl
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from web3 import HTTPProvider

# Answers that cannot change while a process talks to one node (the chain id is checked on
# connect): cached per provider by web3.py.
ALWAYS_SAME = ("eth_chainId", "net_version", "web3_clientVersion")


@dataclass(eq=False)  # recorders are told apart by identity
class RoundTrips:
    """What went over the wire while a recorder was active."""

    total: int = 0
    by_url: Counter = field(default_factory=Counter)
    methods: Counter = field(default_factory=Counter)  # a batch counts each method it carries

    def describe(self) -> str:
        parts = ", ".join(f"{method}×{count}" for method, count in self.methods.most_common())
        return f"{self.total} round trip(s): {parts}" if parts else "no round trips"


_recorders: list[RoundTrips] = []
_lock = threading.Lock()


@contextmanager
def count_round_trips() -> Iterator[RoundTrips]:
    """Count the JSON-RPC round trips this process makes (any thread) inside the block."""
    recorder = RoundTrips()
    with _lock:
        _recorders.append(recorder)
    try:
        yield recorder
    finally:
        with _lock:
            _recorders.remove(recorder)


def _record(url: str, methods: list[str]) -> None:
    with _lock:
        for recorder in _recorders:
            recorder.total += 1
            recorder.by_url[url] += 1
            recorder.methods.update(methods)


_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
          ConnectionAbortedError)


PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                   "ALL_PROXY", "no_proxy", "NO_PROXY")


@functools.lru_cache(maxsize=64)
def _direct(scheme: str, host: str, proxy_env: tuple) -> bool:
    """Whether no proxy is configured for this scheme and host, given the proxy variables'
    values (`proxy_env`, the cache key): urllib walks the whole environment on every call,
    which cost a token scan on a local fork a third of a second over its thousand requests."""
    proxies = urllib.request.getproxies()
    return not (proxies.get(scheme) or proxies.get("all")) or bool(urllib.request.proxy_bypass(host))


class KeepAlivePoster:
    """Stands in for web3.py's HTTP session manager: POSTs over a persistent connection per
    thread and (scheme, host); everything else, and URLs it should not handle, go to web3's."""

    def __init__(self, fallback: Any):
        self.fallback = fallback
        self.local = threading.local()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fallback, name)

    @staticmethod
    def handles(url: str, kwargs: dict) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.username or parts.password:
            return False
        if set(kwargs) - {"headers", "timeout"}:
            return False  # verify, cert, proxies …: requests' business
        if parts.scheme == "https" and (os.environ.get("REQUESTS_CA_BUNDLE")
                                        or os.environ.get("CURL_CA_BUNDLE")):
            return False
        proxy_env = tuple(os.environ.get(name) for name in PROXY_VARIABLES)
        return _direct(parts.scheme, parts.hostname or "", proxy_env)

    def _connection(self, parts, timeout: float) -> http.client.HTTPConnection:
        connections = self.local.__dict__.setdefault("connections", {})
        key = (parts.scheme, parts.netloc)
        connection = connections.get(key)
        if connection is None:
            if parts.scheme == "https":
                connection = http.client.HTTPSConnection(parts.hostname, parts.port,
                                                         timeout=timeout, context=_tls())
            else:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
            connections[key] = connection
        connection.timeout = timeout
        return connection

    def make_post_request(self, endpoint_uri: str, data: bytes, **kwargs: Any) -> bytes:
        if not self.handles(str(endpoint_uri), kwargs):
            return self.fallback.make_post_request(endpoint_uri, data, **kwargs)
        parts = urlsplit(str(endpoint_uri))
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = dict(kwargs.get("headers") or {"Content-Type": "application/json"})
        timeout = kwargs.get("timeout") or 30
        body = data if isinstance(data, bytes) else str(data).encode()
        for attempt in (1, 2):
            connection = self._connection(parts, timeout)
            reused = connection.sock is not None
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                content = response.read()
            except _STALE as exc:
                connection.close()
                if reused and attempt == 1:
                    continue  # the node closed an idle connection: once more on a new one
                raise requests.exceptions.ConnectionError(str(exc)) from None
            except TimeoutError as exc:
                connection.close()
                raise requests.exceptions.Timeout(str(exc)) from None
            except OSError as exc:
                connection.close()
                raise requests.exceptions.ConnectionError(str(exc)) from None
            if response.will_close:
                connection.close()
            if response.status >= 400:
                raise requests.exceptions.HTTPError(
                    f"{response.status} {response.reason} for url: {endpoint_uri}")
            return content
        raise AssertionError("unreachable")


_tls_context: ssl.SSLContext | None = None


def _tls() -> ssl.SSLContext:
    """Certificates checked against the same CA bundle requests uses (certifi's)."""
    global _tls_context
    if _tls_context is None:
        import certifi

        _tls_context = ssl.create_default_context(cafile=certifi.where())
    return _tls_context


class CountingHTTPProvider(HTTPProvider):
    """web3.py's HTTP provider, with each request that reaches the node counted and sent over
    a kept-alive connection (`KeepAlivePoster`)."""

    def __init__(self, endpoint_uri: str, *, timeout: float | None = None, cache_constants: bool = True,
                 **kwargs: Any):
        if timeout is not None:
            kwargs.setdefault("request_kwargs", {"timeout": timeout})
        if cache_constants:
            kwargs |= {"cache_allowed_requests": True, "cacheable_requests": set(ALWAYS_SAME)}
        super().__init__(endpoint_uri, **kwargs)
        self._request_session_manager = KeepAlivePoster(self._request_session_manager)

    def _make_request(self, method, request_data: bytes) -> bytes:
        _record(str(self.endpoint_uri), [str(method)])
        return super()._make_request(method, request_data)

    def make_batch_request(self, batch_requests):
        _record(str(self.endpoint_uri), [str(method) for method, _ in batch_requests])
        return super().make_batch_request(batch_requests)


__all__ = ["ALWAYS_SAME", "CountingHTTPProvider", "KeepAlivePoster", "RoundTrips", "count_round_trips"]
