"""The sandbox world on the embedded backend: contents, prices, idempotence, status and reset."""

from __future__ import annotations

from steward import chains, sandbox
from steward.chains.config import load_config
from steward.contacts import load_contacts
from steward.portfolio import portfolio
from steward.protocols import erc20
from steward.protocols.pricing import PriceSource
from steward.sandbox.dex import UNISWAP_ROLES
from steward.wallets import WalletStore

ETH = 10**18


def test_up_builds_two_funded_chains_with_distinct_ids(embedded_world):
    store = WalletStore()
    wallets = store.list()
    assert [w.name for w in wallets] == ["main"]
    config = load_config()
    l1, l2 = config.chain("sandbox-l1"), config.chain("sandbox-l2")
    assert l1.chain_id != l2.chain_id
    for chain in (l1, l2):
        w3 = chains.connect(chain)
        assert w3.eth.chain_id == chain.chain_id
        assert {"USDC", "USDT", "WETH"} <= set(chain.tokens)
        assert chain.trusted_tokens == ["USDC", "USDT", "WETH"]
        # Uniswap's roles are namespaced by adapter; the old plain roles are gone.
        assert {"weth", "bridge", *UNISWAP_ROLES} <= set(chain.contracts)
        assert not {"router", "factory"} & set(chain.contracts)
        assert w3.eth.get_balance(wallets[0].address) >= 10 * ETH
        for symbol in ("USDC", "USDT"):
            info = erc20.token_info(w3, chain.tokens[symbol])
            assert info.decimals == 6
            assert erc20.balance_of(w3, info.address, wallets[0].address) >= 10_000 * 10**6
        assert erc20.token_info(w3, chain.tokens["WETH"]).decimals == 18
    assert set(load_contacts()) == {"alice", "bob", "carol"}


def test_prices_come_from_the_pools_and_are_realistic(embedded_world):
    for name in ("sandbox-l1", "sandbox-l2"):
        chain = load_config().chain(name)
        prices = PriceSource(chains.connect(chain), chain)
        eth_in_usdc = prices.usdc_value(None, ETH)
        assert 2_990 * 10**6 <= eth_in_usdc <= 3_010 * 10**6
        usdt = prices.usdc_value(chain.tokens["USDT"], 10**6)
        assert 990_000 <= usdt <= 1_010_000


def test_l2_stables_are_backed_by_tokens_locked_on_l1(embedded_world):
    config = load_config()
    l1, l2 = config.chain("sandbox-l1"), config.chain("sandbox-l2")
    w1, w2 = chains.connect(l1), chains.connect(l2)
    for symbol in ("USDC", "USDT"):
        locked = erc20.balance_of(w1, l1.tokens[symbol], l1.contracts["bridge"])
        supply_l2 = erc20.token_contract(w2, l2.tokens[symbol]).functions.totalSupply().call()
        assert locked == supply_l2 > 0


def test_up_again_changes_nothing(embedded_world):
    before = {row.chain: (row.block, row.contracts) for row in sandbox.status()}
    sandbox.up()
    after = {row.chain: (row.block, row.contracts) for row in sandbox.status()}
    assert after == before


def test_up_tops_up_a_new_wallet_only(embedded_world):
    store = WalletStore()
    info = store.create("savings", "another passphrase")
    sandbox.up()
    holdings = portfolio({"savings": info.address}).holdings
    by_asset = {(h.chain, h.symbol): h.balance for h in holdings}
    assert by_asset[("sandbox-l1", "USDC")] == 10_000 * 10**6
    assert by_asset[("sandbox-l2", "ETH")] == 10 * ETH


def test_reset_forgets_the_chains_but_keeps_wallets(embedded_world):
    sandbox.reset()
    rows = sandbox.status()
    assert [row.chain for row in rows] == ["sandbox-l1", "sandbox-l2", "sandbox-sol"]
    assert all(row.block == 0 and not row.contracts for row in rows[:2])
    assert not rows[2].tokens and not rows[2].contracts  # the Solana sandbox starts empty too
    assert [w.name for w in WalletStore().list()] == ["main"]
