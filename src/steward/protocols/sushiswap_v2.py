"""SushiSwap V2: a fork of Uniswap V2 with the same router and pair interfaces, so the adapter
is Uniswap V2's with its own name and deployments (its pairs come from its own factory; the
router computes their addresses with Sushi's init-code hash, which the adapter never needs).
Contracts: config keys "sushiswap-v2:factory" and "sushiswap-v2:router".

This module and one line in `steward.protocols.registry.ADAPTERS` are the whole of it: the
planner routes through it when it quotes best, the guard decodes its calls, pricing reads its
pairs' time-weighted prices and `steward chains add` records its contracts.
"""

from __future__ import annotations

from steward.protocols.uniswap_v2 import UniswapV2

_SUSHI_ELSEWHERE = {"factory": "0xc35DADB65012eC5796536bD9864eD8773aBc74C4",
                    "router": "0x1b02dA8Cb0d097eB8D57A175b88c7D8b47997506"}


class SushiSwapV2(UniswapV2):
    name = "sushiswap-v2"
    label = "SushiSwap V2"
    deployments = {
        1: {"factory": "0xC0AEe478e3658e2610c5F7A4A2E1777cE9e4f2Ac",
            "router": "0xd9e1cE17f2641f24aE83637ab66a2cca9C378B9F"},
        42161: dict(_SUSHI_ELSEWHERE),
        137: dict(_SUSHI_ELSEWHERE),
    }


__all__ = ["SushiSwapV2"]
