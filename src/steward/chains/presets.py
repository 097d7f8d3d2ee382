"""Presets for real chains: chain ids, native coins, canonical tokens, explorers.

`steward chains add ethereum --rpc-url URL` turns a preset into a usable chain at once: nobody
types a token or contract address. Protocol contracts are not here: each protocol adapter knows
its own deployments per chain id (`steward.protocols.registry.contracts_on`), and a chain's
config names them "<adapter>:<role>". The sandbox mirrors these chains' addresses (sandbox-l1 ↔
ethereum, sandbox-l2 ↔ optimism), so the same adapters and addresses are exercised offline.
"""

from __future__ import annotations

from pydantic import BaseModel


# Aliases never spell a token symbol ("eth", "op", "arb", "matic" would turn "swap 10 USDC for
# ETH" into a chain): the parser reads chain names and token symbols from the same words.
class ChainPreset(BaseModel):
    name: str
    chain_id: int
    native_symbol: str
    aliases: list[str]
    explorer: str
    # Canonical tokens by symbol (cross-checked against @uniswap/default-token-list in tests).
    tokens: dict[str, str]
    # The wrapped native coin (WETH9-compatible deposit/withdraw), by token symbol.
    wrapped_native: str


PRESETS: dict[str, ChainPreset] = {
    preset.name: preset
    for preset in (
        ChainPreset(
            name="ethereum", chain_id=1, native_symbol="ETH", aliases=["mainnet"],
            explorer="https://etherscan.io",
            tokens={"WETH": "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
                    "USDC": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
                    "USDT": "0xdAC17F958D2ee523a2206206994597C13D831ec7",
                    "DAI": "0x6B175474E89094C44Da98b954EedeAC495271d0F"},
            wrapped_native="WETH",
        ),
        ChainPreset(
            name="optimism", chain_id=10, native_symbol="ETH", aliases=["op-mainnet"],
            explorer="https://optimistic.etherscan.io",
            tokens={"WETH": "0x4200000000000000000000000000000000000006",
                    "USDC": "0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85",
                    "USDT": "0x94b008aA00579c1307B0EF2c499aD98a8ce58e58",
                    "DAI": "0xDA10009cBd5D07dd0CeCc66161FC93D7c9000da1"},
            wrapped_native="WETH",
        ),
        ChainPreset(
            name="arbitrum", chain_id=42161, native_symbol="ETH",
            aliases=["arbitrum-one"], explorer="https://arbiscan.io",
            tokens={"WETH": "0x82aF49447D8a07e3bd95BD0d56f35241523fBab1",
                    "USDC": "0xaf88d065e77c8cC2239327C5EDb3A432268e5831",
                    "USDT": "0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9",
                    "DAI": "0xDA10009cBd5D07dd0CeCc66161FC93D7c9000da1"},
            wrapped_native="WETH",
        ),
        ChainPreset(
            name="base", chain_id=8453, native_symbol="ETH", aliases=[],
            explorer="https://basescan.org",
            tokens={"WETH": "0x4200000000000000000000000000000000000006",
                    "USDC": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
                    "DAI": "0x50c5725949A6F0c72E6C4a641F24049A917DB0Cb"},
            wrapped_native="WETH",
            # Base has Uniswap V3 only with SwapRouter02 (no deadline in its structs).
            contracts={"uniswap-v2:factory": "0x8909Dc15e40173Ff4699343b6eB8132c65e18eC6",
                       "uniswap-v2:router": "0x4752ba5DBc23f44D87826276BF6Fd6b1C372aD24",
                       "uniswap-v3:factory": "0x33128a8fC17869897dcE68Ed026d694621f6FDfD",
                       "uniswap-v3:swap_router02": "0x2626664c2603336E57B271c5C0b26F421741e481",
                       "uniswap-v3:quoter": "0x3d4e44Eb1374240CE5F1B871ab261CD16335B76a",
                       "uniswap-v3:position_manager": "0x03a520b32C04BF3bEEf7BEb72E919cf822Ed34f1"},
        ),
        ChainPreset(
            name="polygon", chain_id=137, native_symbol="POL", aliases=["polygon-pos"],
            explorer="https://polygonscan.com",
            tokens={"WPOL": "0x0d500B1d8E8eF31E21C99d1Db9A6444d3ADf1270",
                    "WETH": "0x7ceB23fD6bC0adD59E62ac25578270cFf1b9f619",
                    "USDC": "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359",
                    "USDT": "0xc2132D05D31c914a87C6611C10748AEb04B58e8F",
                    "DAI": "0x8f3Cf7ad23Cd3CaDbD9735AFf958023239c6A063"},
            wrapped_native="WPOL",
        ),
    )
}

# Which preset each sandbox chain mirrors: the sandbox places its contracts at these addresses.
SANDBOX_MIRRORS = {"sandbox-l1": "ethereum", "sandbox-l2": "optimism"}


def preset(name: str) -> ChainPreset:
    from steward.errors import UnknownNameError

    key = name.lower()
    for candidate in PRESETS.values():
        if key == candidate.name or key in candidate.aliases:
            return candidate
    raise UnknownNameError("chain preset", name, list(PRESETS))


__all__ = ["PRESETS", "SANDBOX_MIRRORS", "ChainPreset", "preset"]
