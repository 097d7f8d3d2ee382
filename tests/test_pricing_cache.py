"""Prices are kept per block hash: a second review of the same block reuses them, and any new
block — or a chain rewound to another history — is priced afresh."""

from __future__ import annotations

from steward import chains
from steward.chains.config import load_config
from steward.protocols import pricing
from steward.protocols.pricing import PriceSource
from steward.sandbox import SandboxBuilder
from steward.plans import Call


def test_prices_are_reused_within_a_block_and_read_again_after_it(world, monkeypatch):
    chain = load_config().chain("sandbox-l1")
    w3 = chains.connect(chain)
    reads = []
    real = PriceSource._price
    monkeypatch.setattr(PriceSource, "_price", lambda self, token: reads.append(token) or real(
        self, token))
    first = PriceSource(w3, chain).price(None)
    again = PriceSource(w3, chain).price(None)
    assert first == again and len(reads) == 1
    # Any transaction makes a new block: its state may differ, so it is priced again.
    builder = SandboxBuilder()
    builder.send(chain, Call(to=builder.operator.address, value=1, description="a new block"))
    PriceSource(w3, chain).price(None)
    assert len(reads) == 2
    # And the wall clock bounds it too (a feed's freshness is judged against it).
    monkeypatch.setattr(pricing, "PRICE_CACHE_SECONDS", -1.0)
    PriceSource(w3, chain).price(None)
    assert len(reads) == 3
