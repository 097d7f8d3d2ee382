"""JSON-RPC over HTTP, counted: every request that goes over the wire (a batch is one) is seen
by the `count_round_trips()` recorders active at the time, so a benchmark or a test can say how
many round trips a guard review costs and to which node.

Requests that web3.py answers from its own cache never reach the node and are not counted:
RPC connections cache `eth_chainId`, `net_version` and `web3_clientVersion` (the chain id was
checked on connect; web3's validation middleware would otherwise ask for it again before calls
and transactions).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from web3 import HTTPProvider

# Answers that cannot change while a process talks to one node (the chain id is checked on
# connect): cached per provider by web3.py.
ALWAYS_SAME = ("eth_chainId", "net_version", "web3_clientVersion")


@dataclass
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


class CountingHTTPProvider(HTTPProvider):
    """web3.py's HTTP provider, with each request that reaches the node counted."""

    def __init__(self, endpoint_uri: str, *, timeout: float | None = None, cache_constants: bool = True,
                 **kwargs: Any):
        if timeout is not None:
            kwargs.setdefault("request_kwargs", {"timeout": timeout})
        if cache_constants:
            kwargs |= {"cache_allowed_requests": True, "cacheable_requests": set(ALWAYS_SAME)}
        super().__init__(endpoint_uri, **kwargs)

    def _make_request(self, method, request_data: bytes) -> bytes:
        _record(str(self.endpoint_uri), [str(method)])
        return super()._make_request(method, request_data)

    def make_batch_request(self, batch_requests):
        _record(str(self.endpoint_uri), [str(method) for method, _ in batch_requests])
        return super().make_batch_request(batch_requests)


__all__ = ["ALWAYS_SAME", "CountingHTTPProvider", "RoundTrips", "count_round_trips"]
