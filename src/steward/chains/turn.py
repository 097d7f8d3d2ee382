"""One process's turns on the chains.

Everything in a process that touches an embedded chain from several threads (servers beside a
worker loop) does so inside `chain_turn()`: py-evm is not thread-safe, and a turn ends by
committing the embedded chains so that other `steward` processes (other workers, the CLI) see the
blocks and get their own turn, as the local service does after each request. On an RPC chain a
turn only serializes this process's threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_turn = threading.RLock()
_depth = 0


@contextmanager
def chain_turn() -> Iterator[None]:
    """Hold this process's chains for one piece of work (reentrant); the outermost turn ends by
    committing the embedded chains and letting other processes in."""
    global _depth
    with _turn:
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
            if _depth == 0:
                from steward.chains.embedded import end_all_sessions

                end_all_sessions()


__all__ = ["chain_turn"]
