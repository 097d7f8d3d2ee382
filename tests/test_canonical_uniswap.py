"""The sandbox runs Uniswap's published V2 + V3 contracts, WETH9 and the stables at the mainnet
(sandbox-l1) and Optimism (sandbox-l2) addresses, on the embedded chain and on anvil."""

from __future__ import annotations

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak, to_canonical_address, to_checksum_address
from web3.exceptions import ContractLogicError

from steward import chains, sandbox
from steward.chains.config import load_config
from steward.chains.embedded import close_all, dev_account
from steward.chains.presets import PRESETS, SANDBOX_MIRRORS
from steward.contracts import abi, initcode, uniswap
from steward.protocols import registry
from steward.protocols.amm import deadline
from steward.sandbox import SandboxBuilder
from steward.sandbox.dex import UNISWAP_ROLES, V2_POOLS, V3_POOLS
from steward.sandbox.placement import place

ETH = 10**18
USD6 = 10**6
L1, L2 = "sandbox-l1", "sandbox-l2"
TRADER_INDEX = 6  # a development account no other sandbox role uses


def contract(w3, address, name):
    return w3.eth.contract(address=address, abi=abi(name))


def create2(deployer: str, salt: bytes, init_code_hash: str) -> str:
    return to_checksum_address(keccak(b"\xff" + to_canonical_address(deployer) + salt
                                      + bytes.fromhex(init_code_hash))[12:])


def ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if int(a, 16) < int(b, 16) else (b, a)


def send(w3, account, to: str, data: str, value: int = 0):
    """Sign and send one transaction as `account`; returns the receipt."""
    tx = {"from": account.address, "to": to, "data": data, "value": value,
          "chainId": w3.eth.chain_id}
    tx["gas"] = w3.eth.estimate_gas(tx) * 2
    base = w3.eth.get_block("latest")["baseFeePerGas"]
    tx.update(maxFeePerGas=2 * base + 10**9, maxPriorityFeePerGas=10**9,
              nonce=w3.eth.get_transaction_count(account.address))
    del tx["from"]
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction))
    assert receipt["status"] == 1
    return receipt


def funded_trader(name: str = L1):
    """A development account topped up like a sandbox wallet (10 ETH, 10,000 USDC and USDT)."""
    chain = load_config().chain(name)
    trader = dev_account(TRADER_INDEX)
    SandboxBuilder().top_up(chain, trader.address, "test trader")
    return chains.connect(chain), chain, trader


def balances(w3, chain, holder: str) -> dict[str, int]:
    return {symbol: contract(w3, address, "ERC20").functions.balanceOf(holder).call()
            for symbol, address in chain.tokens.items() if symbol in ("WETH", "USDC", "USDT")}


@pytest.mark.parametrize("name", [L1, L2])
def test_every_canonical_address_holds_uniswap_and_the_tokens_read_back(world, name):
    preset = PRESETS[SANDBOX_MIRRORS[name]]
    chain = load_config().chain(name)
    w3 = chains.connect(chain)
    assert "router" not in chain.contracts and "factory" not in chain.contracts
    assert chain.contracts["weth"] == chain.tokens["WETH"] == preset.tokens["WETH"]
    for role in UNISWAP_ROLES:
        assert chain.contracts[role] == registry.contracts_on(preset.chain_id)[role]
        assert len(w3.eth.get_code(chain.contracts[role])) > 1_000, role
    for symbol, decimals in (("WETH", 18), ("USDC", 6), ("USDT", 6)):
        assert chain.tokens[symbol] == preset.tokens[symbol]
        token = contract(w3, chain.tokens[symbol], "ERC20")
        assert (token.functions.symbol().call(), token.functions.decimals().call()) == (
            symbol, decimals)
    v2 = contract(w3, chain.contracts["uniswap-v2:factory"], "uniswap/UniswapV2Factory")
    for pool in V2_POOLS:
        token0, token1 = ordered(chain.tokens[pool.symbol_a], chain.tokens[pool.symbol_b])
        salt = keccak(to_canonical_address(token0) + to_canonical_address(token1))
        assert v2.functions.getPair(token0, token1).call() == create2(
            v2.address, salt, uniswap.V2_PAIR_INIT_CODE_HASH)
    v3 = contract(w3, chain.contracts["uniswap-v3:factory"], "uniswap/UniswapV3Factory")
    for pool in V3_POOLS:
        token0, token1 = ordered(chain.tokens[pool.symbol_a], chain.tokens[pool.symbol_b])
        salt = keccak(abi_encode(["address", "address", "uint24"], [token0, token1, pool.fee]))
        address = v3.functions.getPool(token0, token1, pool.fee).call()
        assert address == create2(v3.address, salt, uniswap.V3_POOL_INIT_CODE_HASH)
        v3_pool = contract(w3, address, "uniswap/UniswapV3Pool")
        assert v3_pool.functions.liquidity().call() > 0
        assert v3_pool.functions.slot0().call()[4] == 100  # observationCardinalityNext


@pytest.mark.parametrize("name", [L1, L2])
def test_v3_pools_are_priced_like_the_v2_pools(world, name):
    chain = load_config().chain(name)
    w3 = chains.connect(chain)
    v3 = contract(w3, chain.contracts["uniswap-v3:factory"], "uniswap/UniswapV3Factory")
    weth, usdc = chain.tokens["WETH"], chain.tokens["USDC"]
    for fee in (500, 3000):
        pool = contract(w3, v3.functions.getPool(weth, usdc, fee).call(), "uniswap/UniswapV3Pool")
        square = pool.functions.slot0().call()[0] ** 2  # token1 per token0 (base units) << 192
        scale = ETH // USD6
        usdc_per_eth = (square * scale >> 192) if int(weth, 16) < int(usdc, 16) else (
            (scale << 192) // square)
        assert 2_990 <= usdc_per_eth <= 3_010


def test_a_v3_swap_moves_exactly_what_quoter_v2_quoted(world):
    w3, chain, trader = funded_trader()
    usdc, weth = chain.tokens["USDC"], chain.tokens["WETH"]
    amount_in = 500 * USD6
    quoter = contract(w3, chain.contracts["uniswap-v3:quoter"], "uniswap/QuoterV2")
    quoted = quoter.functions.quoteExactInputSingle((usdc, weth, amount_in, 500, 0)).call()[0]
    v2_router = contract(w3, chain.contracts["uniswap-v2:router"], "uniswap/UniswapV2Router02")
    v2_out = v2_router.functions.getAmountsOut(amount_in, [usdc, weth]).call()[-1]
    assert quoted > v2_out  # the 0.05 % pool beats V2's 0.3 % for a retail swap
    assert 0.16 * ETH < quoted < 0.17 * ETH
    router = chain.contracts["uniswap-v3:swap_router"]
    send(w3, trader, usdc, contract(w3, usdc, "ERC20").encode_abi("approve", [router, amount_in]))
    before = balances(w3, chain, trader.address)
    swap = contract(w3, router, "uniswap/SwapRouter").encode_abi("exactInputSingle", [(
        usdc, weth, 500, trader.address, deadline(w3), amount_in, quoted, 0)])
    send(w3, trader, router, swap)
    after = balances(w3, chain, trader.address)
    assert after["WETH"] - before["WETH"] == quoted
    assert before["USDC"] - after["USDC"] == amount_in


def test_a_v3_swap_that_would_pay_less_than_its_minimum_reverts_and_moves_nothing(world):
    w3, chain, trader = funded_trader()
    usdc, weth = chain.tokens["USDC"], chain.tokens["WETH"]
    quoter = contract(w3, chain.contracts["uniswap-v3:quoter"], "uniswap/QuoterV2")
    quoted = quoter.functions.quoteExactInputSingle((usdc, weth, 500 * USD6, 500, 0)).call()[0]
    router = chain.contracts["uniswap-v3:swap_router"]
    send(w3, trader, usdc, contract(w3, usdc, "ERC20").encode_abi("approve", [router, 500 * USD6]))
    before = balances(w3, chain, trader.address)
    greedy = (usdc, weth, 500, trader.address, deadline(w3), 500 * USD6, quoted + 1, 0)
    swap_router = contract(w3, router, "uniswap/SwapRouter")
    with pytest.raises(ContractLogicError, match="Too little received"):
        swap_router.functions.exactInputSingle(greedy).call({"from": trader.address})
    with pytest.raises(ContractLogicError):
        send(w3, trader, router, swap_router.encode_abi("exactInputSingle", [greedy]))
    assert balances(w3, chain, trader.address) == before


def test_a_v2_router_swap_moves_exactly_get_amounts_out(world):
    w3, chain, trader = funded_trader(L2)
    usdc, weth = chain.tokens["USDC"], chain.tokens["WETH"]
    router = contract(w3, chain.contracts["uniswap-v2:router"], "uniswap/UniswapV2Router02")
    amount_in = 500 * USD6
    out = router.functions.getAmountsOut(amount_in, [usdc, weth]).call()[-1]
    send(w3, trader, usdc, contract(w3, usdc, "ERC20").encode_abi(
        "approve", [router.address, amount_in]))
    before = balances(w3, chain, trader.address)
    send(w3, trader, router.address, router.encode_abi("swapExactTokensForTokens", [
        amount_in, out, [usdc, weth], trader.address, deadline(w3)]))
    after = balances(w3, chain, trader.address)
    assert (after["WETH"] - before["WETH"], before["USDC"] - after["USDC"]) == (out, amount_in)


def test_the_placed_v3_factory_creates_new_pools_where_the_periphery_looks(world):
    # createPool is noDelegateCall: it reverts unless the immutable `original` is the factory's
    # own address, which placement must have set to the canonical one.
    w3, chain, trader = funded_trader()
    factory = contract(w3, chain.contracts["uniswap-v3:factory"], "uniswap/UniswapV3Factory")
    usdc, weth = chain.tokens["USDC"], chain.tokens["WETH"]
    assert factory.functions.getPool(usdc, weth, 10_000).call() == "0x" + "00" * 20
    send(w3, trader, factory.address, factory.encode_abi("createPool", [usdc, weth, 10_000]))
    token0, token1 = ordered(usdc, weth)
    salt = keccak(abi_encode(["address", "address", "uint24"], [token0, token1, 10_000]))
    expected = create2(factory.address, salt, uniswap.V3_POOL_INIT_CODE_HASH)
    assert factory.functions.getPool(weth, usdc, 10_000).call() == expected
    pool = contract(w3, expected, "uniswap/UniswapV3Pool")
    assert pool.functions.factory().call() == factory.address
    assert (pool.functions.token0().call(), pool.functions.fee().call()) == (token0, 10_000)


def test_placed_contracts_keep_their_owners_and_only_their_owners_powers(world):
    w3, chain, trader = funded_trader()
    operator = dev_account(0).address
    v3 = contract(w3, chain.contracts["uniswap-v3:factory"], "uniswap/UniswapV3Factory")
    assert v3.functions.owner().call() == operator
    with pytest.raises(ContractLogicError):
        v3.functions.enableFeeAmount(100, 1).call({"from": trader.address})
    v2 = contract(w3, chain.contracts["uniswap-v2:factory"], "uniswap/UniswapV2Factory")
    assert v2.functions.feeToSetter().call() == operator
    with pytest.raises(ContractLogicError, match="FORBIDDEN"):
        v2.functions.setFeeTo(trader.address).call({"from": trader.address})
    l2 = load_config().chain(L2)
    w2 = chains.connect(l2)
    for symbol in ("USDC", "USDT"):
        stable = contract(w2, l2.tokens[symbol], "ERC20")
        assert stable.functions.owner().call() == operator
        assert stable.functions.minters(l2.contracts["bridge"]).call()
        assert not stable.functions.minters(operator).call()  # on L2 only the bridge mints
        with pytest.raises(ContractLogicError):
            stable.functions.mint(operator, 1).call({"from": operator})


def test_placement_never_overwrites_code_and_a_placed_contract_persists(world):
    chain = load_config().chain(L1)
    w3 = chains.connect(chain)
    weth = chain.tokens["WETH"]
    code = w3.eth.get_code(weth)
    said: list[str] = []
    impostor = initcode("ERC20", "Impostor", "WETH", 18)
    operator = dev_account(0).address
    assert not place(w3, chain, weth, impostor, sender=operator, progress=said.append)
    assert w3.eth.get_code(weth) == code and "nothing placed" in said[0]
    target = "0x000000000000000000000000000000000000bEEF"
    assert SandboxBuilder().place(chain, target, "ERC20", "Placed", "PLC", 6)
    close_all()  # embedded: the placement's block must come back from the SQLite store
    chains.forget_connections()
    token = contract(chains.connect(load_config().chain(L1)), target, "ERC20")
    assert (token.functions.name().call(), token.functions.symbol().call(),
            token.functions.decimals().call(), token.functions.owner().call()) == (
        "Placed", "PLC", 6, operator)
    assert token.functions.minters(operator).call()


def test_sandbox_up_again_places_and_deploys_nothing(world):
    def snapshot():
        rows = sandbox.status()
        config = load_config()
        codes = {name: {role: bytes(chains.connect(config.chain(name)).eth.get_code(address))
                        for role, address in config.chain(name).contracts.items()}
                 for name in (L1, L2)}
        return {row.chain: (row.block, row.contracts, row.tokens) for row in rows}, codes

    before = snapshot()
    said: list[str] = []
    sandbox.up(progress=said.append)
    assert snapshot() == before
    assert not any(" placed " in line or "deployed" in line for line in said)


def test_a_rebuild_on_the_same_nodes_leaves_only_the_new_bridge_minting_l2_stables(
        anvil_world, anvil_nodes):
    # `sandbox reset` forgets RPC chains but their contracts stay on the nodes: the next `up`
    # finds the stables placed already, and must take minting away from the forgotten bridge.
    old_bridge = load_config().chain(L2).contracts["bridge"]
    sandbox.reset()
    sandbox.up(l1_url=anvil_nodes[0].url, l2_url=anvil_nodes[1].url)
    l2 = load_config().chain(L2)
    w3 = chains.connect(l2)
    assert l2.contracts["bridge"] != old_bridge
    for symbol in ("USDC", "USDT"):
        stable = contract(w3, l2.tokens[symbol], "ERC20")
        assert stable.functions.minters(l2.contracts["bridge"]).call()
        assert not stable.functions.minters(old_bridge).call()
        assert not stable.functions.minters(dev_account(0).address).call()
