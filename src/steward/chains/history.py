"""Looking back through a chain's blocks."""

from __future__ import annotations

from collections.abc import Callable


def first_block(latest: int, reached: Callable[[int], bool]) -> int:
    """The first block number in 0..`latest` for which `reached` holds, by binary search
    (`reached` must be false up to some block and true from it on); `latest` if none before.
    Exceptions from `reached` (a node without historical state) propagate to the caller."""
    low, high = 0, latest
    while low < high:
        middle = (low + high) // 2
        if reached(middle):
            high = middle
        else:
            low = middle + 1
    return low


__all__ = ["first_block"]
