"""Steward's Vyper contracts on an in-process eth-tester chain (py-evm). Uniswap V2/V3 and WETH9
are Uniswap's published contracts, tested in tests/test_canonical_uniswap.py."""

from __future__ import annotations

import json

import pytest
from eth_tester.exceptions import TransactionFailed
from web3 import EthereumTesterProvider, Web3
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD

import steward.contracts as contracts
from steward.errors import StewardError

E18 = 10**18
REVERTS = (ContractLogicError, TransactionFailed)


# ---------------------------------------------------------------- helpers


def deploy(w3: Web3, name: str, *args, sender=None):
    tx = {"from": sender or w3.eth.accounts[0], "data": contracts.initcode(name, *args)}
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(tx))
    assert receipt.status == 1
    return w3.eth.contract(address=receipt.contractAddress, abi=contracts.abi(name))


def send(fn, sender, value=0):
    receipt = fn.w3.eth.wait_for_transaction_receipt(fn.transact({"from": sender, "value": value}))
    assert receipt.status == 1
    return receipt


def reverts(fn, sender, match: str, value=0):
    with pytest.raises(REVERTS) as info:
        fn.transact({"from": sender, "value": value})
    assert match in str(info.value), str(info.value)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def w3():
    return Web3(EthereumTesterProvider())


@pytest.fixture(scope="module")
def accts(w3):
    return w3.eth.accounts


# ---------------------------------------------------------------- compile API


def test_names_and_unknown_contract():
    assert contracts.names() == [
        "AgentRegistry",
        "AlliancePool",
        "AuthorizedERC20",  # ERC20 plus EIP-3009 (issue 17's x402 seller)
        "Bridge",
        "BuybackToken",
        "ComputeMarket",  # issue 16: compute jobs whose wrong results are proven on chain
        "DataMarket",  # issue 19: data tasks paid for their published quality
        "DivertingFeeRouter",  # the tokenomics check's scam specimen (not a zoo token)
        "ERC20",
        "FeeRouter",
        "GuardedAccount",
        "JobEscrow",
        "ModelRegistry",  # issue 19: a model's revenue split among its contributors
        "Reputation",
    ]
    # issue 15: the sandbox DAO, compiled from @openzeppelin/contracts (tests/test_dao_contracts.py)
    assert contracts.dao_names() == [
        "dao/ERC1967Proxy",  # OpenZeppelin's own, by a one-line import
        "dao/GrantsVault",
        "dao/GrantsVaultV2",  # a benign upgrade
        "dao/StewardGovernor",
        "dao/StewardVotes",
        "dao/TimelockController",  # OpenZeppelin's own, by a one-line import
        "dao/VaultDrainer",  # a malicious upgrade
    ]
    with pytest.raises(StewardError, match="valid contracts: AgentRegistry, AlliancePool, AuthorizedERC20, "
                                           "Bridge, BuybackToken"):
        contracts.compiled("Nope")
    with pytest.raises(StewardError, match="takes 3 argument"):
        contracts.initcode("ERC20", "only name")


def test_compile_cache_hit(tmp_path, monkeypatch):
    import vyper

    monkeypatch.setenv("STEWARD_CACHE", str(tmp_path))
    contracts.compiled.cache_clear()
    first = contracts.compiled("ERC20")
    files = list(tmp_path.glob("ERC20-*.json"))
    assert len(files) == 1 and set(json.loads(files[0].read_text())) >= {"abi", "bytecode"}

    def boom(*a, **k):
        raise AssertionError("vyper called despite a cache hit")

    monkeypatch.setattr(vyper, "compile_code", boom)
    contracts.compiled.cache_clear()
    second = contracts.compiled("ERC20")
    assert second == first
    assert second.blueprint[:1] == b"\x61" and b"\xfe\x71\x00" in second.blueprint[:16]
    contracts.compiled.cache_clear()


# ---------------------------------------------------------------- ERC-20


def test_erc20_decimals_mint_and_transfers(w3, accts):
    owner, alice, bob = accts[:3]
    usdc = deploy(w3, "ERC20", "USD Coin", "USDC", 6)
    dai = deploy(w3, "ERC20", "Dai", "DAI", 18)
    assert usdc.functions.decimals().call() == 6 and dai.functions.decimals().call() == 18
    assert usdc.functions.symbol().call() == "USDC" and dai.functions.name().call() == "Dai"
    assert usdc.functions.owner().call() == owner and usdc.functions.minters(owner).call()

    send(usdc.functions.mint(alice, 5 * 10**6), owner)
    assert usdc.functions.balanceOf(alice).call() == 5 * 10**6
    assert usdc.functions.totalSupply().call() == 5 * 10**6
    reverts(usdc.functions.mint(alice, 1), alice, "not a minter")
    reverts(usdc.functions.set_minter(alice, True), alice, "not the owner")
    send(usdc.functions.set_minter(alice, True), owner)
    send(usdc.functions.mint(bob, 1), alice)

    send(usdc.functions.transfer(bob, 2 * 10**6), alice)
    assert usdc.functions.balanceOf(bob).call() == 2 * 10**6 + 1
    reverts(usdc.functions.transfer(bob, 10**9), alice, "insufficient balance")
    reverts(usdc.functions.transferFrom(alice, bob, 1), bob, "insufficient allowance")

    send(usdc.functions.approve(bob, 10**6), alice)
    send(usdc.functions.transferFrom(alice, bob, 4 * 10**5), bob)
    assert usdc.functions.allowance(alice, bob).call() == 6 * 10**5
    send(usdc.functions.approve(bob, 2**256 - 1), alice)
    send(usdc.functions.transferFrom(alice, bob, 10**5), bob)
    assert usdc.functions.allowance(alice, bob).call() == 2**256 - 1

    supply = usdc.functions.totalSupply().call()
    send(usdc.functions.burn(10**5), bob)
    assert usdc.functions.totalSupply().call() == supply - 10**5
    send(usdc.functions.transfer_ownership(bob), owner)
    assert usdc.functions.owner().call() == bob


# ---------------------------------------------------------------- bridge

CHAIN_X, CHAIN_Y = 1001, 1002  # two "chains" simulated on one test chain


@pytest.fixture(scope="module")
def bridged(w3, accts):
    """bridge_x holds canonical TKN; bridge_y mints wTKN (its representation)."""
    owner = accts[0]
    tkn = deploy(w3, "ERC20", "Token", "TKN", 18)
    wtkn = deploy(w3, "ERC20", "Wrapped Token", "wTKN", 18)
    bridge_x = deploy(w3, "Bridge")
    bridge_y = deploy(w3, "Bridge")
    send(wtkn.functions.set_minter(bridge_y.address, True), owner)
    send(bridge_x.functions.register_token(tkn.address, CHAIN_Y, wtkn.address, False), owner)
    send(bridge_y.functions.register_token(wtkn.address, CHAIN_X, tkn.address, True), owner)
    send(tkn.functions.mint(accts[4], 100 * E18), owner)
    return dict(tkn=tkn, wtkn=wtkn, x=bridge_x, y=bridge_y)


def _event(contract, receipt, name):
    (ev,) = getattr(contract.events, name)().process_receipt(receipt, errors=DISCARD)
    return ev["args"]


def test_bridge_lock_mint_burn_release(w3, accts, bridged):
    relayer, user, dest = accts[0], accts[4], accts[5]
    tkn, wtkn, bx, by = bridged["tkn"], bridged["wtkn"], bridged["x"], bridged["y"]
    assert bx.functions.owner().call() == relayer and bx.functions.relayer().call() == relayer

    send(tkn.functions.approve(bx.address, 30 * E18), user)
    receipt = send(bx.functions.lock(tkn.address, 30 * E18, dest, CHAIN_Y), user)
    locked = _event(bx, receipt, "Locked")
    assert locked["nonce"] == 0 and locked["amount"] == 30 * E18 and locked["remote_token"] == wtkn.address
    assert locked["recipient"] == dest and locked["sender"] == user and locked["dest_chain_id"] == CHAIN_Y
    assert bx.functions.next_nonce().call() == 1
    assert tkn.functions.balanceOf(bx.address).call() == 30 * E18

    mint = by.functions.mint(CHAIN_X, locked["nonce"], wtkn.address, dest, locked["amount"])
    reverts(mint, user, "not the relayer")
    receipt = send(mint, relayer)
    minted = _event(by, receipt, "Minted")
    assert (minted["src_chain_id"], minted["src_nonce"], minted["amount"]) == (CHAIN_X, 0, 30 * E18)
    assert wtkn.functions.balanceOf(dest).call() == 30 * E18
    reverts(mint, relayer, "already processed")
    key = Web3.solidity_keccak(["uint256", "uint256"], [CHAIN_X, 0])
    assert by.functions.processed(key).call()

    # back again: burn wTKN on Y, release TKN on X
    send(wtkn.functions.approve(by.address, 30 * E18), dest)
    receipt = send(by.functions.burn(wtkn.address, 30 * E18, user, CHAIN_X), dest)
    burned = _event(by, receipt, "Burned")
    assert burned["nonce"] == 0 and burned["remote_token"] == tkn.address and burned["amount"] == 30 * E18
    assert wtkn.functions.balanceOf(dest).call() == 0 and wtkn.functions.totalSupply().call() == 0

    release = bx.functions.release(CHAIN_Y, burned["nonce"], tkn.address, user, burned["amount"])
    reverts(release, dest, "not the relayer")
    send(release, relayer)
    reverts(release, relayer, "already processed")
    assert tkn.functions.balanceOf(user).call() == 100 * E18
    assert tkn.functions.balanceOf(bx.address).call() == 0


def test_bridge_rejects_bad_requests(w3, accts, bridged):
    owner, user = accts[0], accts[4]
    tkn, wtkn, bx, by = bridged["tkn"], bridged["wtkn"], bridged["x"], bridged["y"]
    other = deploy(w3, "ERC20", "Other", "OTH", 18)
    send(other.functions.mint(user, E18), owner)
    send(other.functions.approve(bx.address, E18), user)
    reverts(bx.functions.lock(other.address, E18, user, CHAIN_Y), user, "token not registered")
    send(tkn.functions.approve(bx.address, E18), user)
    reverts(bx.functions.lock(tkn.address, E18, user, 999), user, "token not registered")
    reverts(bx.functions.lock(tkn.address, 0, user, CHAIN_Y), user, "zero amount")
    reverts(bx.functions.lock(tkn.address, E18, "0x" + "00" * 20, CHAIN_Y), user, "empty recipient")
    reverts(by.functions.lock(wtkn.address, E18, user, CHAIN_X), user, "use burn")
    reverts(bx.functions.burn(tkn.address, E18, user, CHAIN_Y), user, "use lock")
    reverts(bx.functions.mint(CHAIN_Y, 7, tkn.address, user, E18), owner, "not wrapped")
    reverts(by.functions.release(CHAIN_X, 7, wtkn.address, user, E18), owner, "is wrapped")
    reverts(bx.functions.register_token(other.address, CHAIN_Y, other.address, False), user, "not the owner")
    reverts(bx.functions.set_relayer(user), user, "not the owner")
    send(by.functions.set_relayer(user), owner)
    send(by.functions.mint(CHAIN_X, 42, wtkn.address, user, 5), user)
    reverts(by.functions.mint(CHAIN_X, 43, wtkn.address, user, 5), owner, "not the relayer")
    assert wtkn.functions.balanceOf(user).call() == 5
