"""Real chains without typing addresses: presets, the vendored Uniswap default token list,
`steward chains add/list/presets/remove`, legacy config keys, and fees per chain.

The anvil tests skip locally without anvil and FAIL when `CI` is set. A "mirror" node serves
Steward's ERC-20 at the canonical Ethereum token addresses (code and storage copied there with
anvil's cheat methods), standing in for mainnet under `--chain-id-override`.
"""

from __future__ import annotations

import json
import os
import tomllib

import pytest
from web3 import HTTPProvider, Web3

from conftest import anvil_or_fail, run_cli
from rpc_proxy import JsonRpcProxy, without_method
from steward import chains
from steward.chains import token_list
from steward.chains.config import load_config, save_config
from steward.chains.presets import PRESETS, SANDBOX_MIRRORS, preset
from steward.cli.chains_cmd import add_chain, chains_table, shown_url
from steward.contracts import initcode
from steward.errors import StewardError, UnknownNameError
from steward.protocols import registry

ETHEREUM = PRESETS["ethereum"]
STABLES = {"USDC", "USDT"}
LINK = "0x514910771AF9Ca656af840dff83E8264EcF986CA"  # LINK on Ethereum in the Uniswap list


# --- the vendored list --------------------------------------------------------------------
def test_every_preset_token_is_in_the_vendored_list_with_its_address_and_decimals():
    for chain in PRESETS.values():
        for symbol, address in chain.tokens.items():
            entry = token_list.listed(chain.chain_id, address)
            assert entry is not None, f"{chain.name} {symbol}"
            assert entry.address == address  # the same EIP-55 spelling
            assert entry.decimals == (6 if symbol in STABLES else 18), f"{chain.name} {symbol}"
        assert chain.wrapped_native in chain.tokens
    assert set(SANDBOX_MIRRORS.values()) <= set(PRESETS)


def test_vendored_list_equals_the_npm_package_for_the_preset_chains():
    from steward.contracts.uniswap import node_modules

    try:
        package = node_modules() / token_list.PACKAGE
    except StewardError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc} (CI is set, so the token list must be checked)")
        pytest.skip(str(exc))
    source = package / token_list.PACKAGE_FILE
    if not source.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{source} is missing (CI is set): run `make setup-tools`")
        pytest.skip(f"{source} is missing: run `make setup-tools`")
    version = json.loads((package / "package.json").read_text())["version"]
    assert version == token_list.PACKAGE_VERSION
    raw = json.loads(source.read_text(encoding="utf-8"))
    expected = token_list.from_npm(raw, [p.chain_id for p in PRESETS.values()])
    vendored = token_list.token_list()
    assert vendored.model_dump(by_alias=True) == expected
    assert vendored.version == token_list.PACKAGE_VERSION
    assert {t.chain_id for t in vendored.tokens} == {p.chain_id for p in PRESETS.values()}


def test_listed_finds_by_symbol_or_exact_address_and_refuses_ambiguity():
    usdc = token_list.listed(1, "usdc")
    assert usdc is not None and usdc.address == ETHEREUM.tokens["USDC"] and usdc.decimals == 6
    assert token_list.listed(1, ETHEREUM.tokens["USDC"].lower()) == usdc
    assert token_list.listed(10, ETHEREUM.tokens["USDC"]) is None  # addresses are per chain
    assert token_list.listed(1, "NO-SUCH-TOKEN") is None
    # The list calls Arbitrum's USDT "USDT0": found by address, never by a guessed symbol.
    assert token_list.listed(42161, "USDT") is None
    assert token_list.listed(42161, PRESETS["arbitrum"].tokens["USDT"]).symbol == "USDT0"
    with pytest.raises(token_list.AmbiguousTokenError) as ambiguous:
        token_list.listed(1, "LIT")
    candidates = [t.address for t in token_list.token_list().on_chain(1) if t.symbol == "LIT"]
    assert len(candidates) == 2 and all(a in str(ambiguous.value) for a in candidates)
    # A mixed-case address with a broken checksum is a typo, not a near match.
    typo = "0xa0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
    with pytest.raises(StewardError, match="checksum"):
        token_list.listed(1, typo)


def test_unknown_preset_lists_the_presets():
    with pytest.raises(UnknownNameError) as unknown:
        preset("ethereum-classic")
    assert all(name in str(unknown.value) for name in PRESETS)
    assert preset("MAINNET") is ETHEREUM and preset("polygon-pos") is PRESETS["polygon"]


# --- config: legacy keys and namespaced roles ------------------------------------------------
def test_legacy_router_keys_in_an_old_config_still_load(steward_home):
    router = registry.contracts_on(1)["uniswap-v2:router"]
    factory = registry.contracts_on(1)["uniswap-v2:factory"]
    steward_home.mkdir(parents=True, exist_ok=True)
    (steward_home / "config.toml").write_text(
        '[chains.old]\nchain_id = 5151\nrpc_url = "http://127.0.0.1:9"\n'
        f'[chains.old.contracts]\nrouter = "{router}"\nfactory = "{factory}"\n'
        f'weth = "{ETHEREUM.tokens["WETH"]}"\n')
    old = load_config().chain("old")
    assert old.contracts == {"uniswap-v2:router": router, "uniswap-v2:factory": factory,
                             "weth": ETHEREUM.tokens["WETH"]}
    save_config(load_config())  # namespaced keys survive config.toml both ways
    written = tomllib.loads((steward_home / "config.toml").read_text())
    assert written["chains"]["old"]["contracts"]["uniswap-v2:router"] == router
    assert "router" not in written["chains"]["old"]["contracts"]
    assert load_config().chain("old").contracts == old.contracts


# --- steward chains add: refusals without a node ---------------------------------------------
def test_chains_add_unknown_preset_lists_presets(steward_home):
    result = run_cli("chains", "add", "dogechain", "--rpc-url", "http://127.0.0.1:9",
                     home=steward_home)
    assert result.returncode == 1
    assert "unknown chain preset 'dogechain'" in result.stderr
    assert all(name in result.stderr for name in PRESETS)
    assert not (steward_home / "config.toml").exists()


def test_chains_add_unreachable_url_is_a_clear_error(steward_home):
    from steward.chains.anvil import free_port

    url = f"http://127.0.0.1:{free_port()}/v2/secret-api-key"
    result = run_cli("chains", "add", "ethereum", "--rpc-url", url, home=steward_home)
    assert result.returncode == 1
    assert "cannot reach the RPC endpoint" in result.stderr
    assert "secret-api-key" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert not (steward_home / "config.toml").exists()


def test_chains_add_refuses_a_url_that_is_not_http(steward_home):
    result = run_cli("chains", "add", "base", "--rpc-url", "file:///etc/passwd", home=steward_home)
    assert result.returncode == 1 and "http:// or https://" in result.stderr
    assert "/etc/passwd" not in result.stderr


def test_shown_url_hides_credentials_paths_and_queries():
    assert shown_url("https://user:pw@eth.example.com/v2/KEY?x=1") == "https://eth.example.com/…"
    assert shown_url("http://127.0.0.1:8545") == "http://127.0.0.1:8545"
    assert shown_url("http://127.0.0.1:8545/") == "http://127.0.0.1:8545"
    from rich.console import Console
    from steward.chains.config import ChainConfig

    console = Console(record=True, width=200)
    console.print(chains_table([ChainConfig(name="base", chain_id=8453,
                                            rpc_url="https://base.example.com/v2/KEY123")]))
    text = console.export_text()
    assert "https://base.example.com/…" in text and "KEY123" not in text


def test_presets_command_lists_every_preset(steward_home):
    result = run_cli("chains", "presets", "--json", home=steward_home)
    assert result.returncode == 0, result.stderr
    listed = {p["name"]: p for p in json.loads(result.stdout)}
    assert listed.keys() == PRESETS.keys()
    assert listed["base"]["contracts"]["uniswap-v3:swap_router02"] == \
        registry.contracts_on(8453)["uniswap-v3:swap_router02"]
    table = run_cli("chains", "presets", home=steward_home)
    assert table.returncode == 0 and "polygon" in table.stdout and "WPOL" in table.stdout


def test_sandbox_chains_cannot_be_removed(steward_home):
    result = run_cli("chains", "remove", "sandbox-l1", home=steward_home)
    assert result.returncode == 1 and "steward sandbox reset" in result.stderr
    assert {c.name for c in load_config().chains.values()} >= {"sandbox-l1", "sandbox-l2"}


# --- steward chains add against anvil ---------------------------------------------------------
def place_token(w3: Web3, at: str, name: str, symbol: str, decimals: int) -> None:
    """Steward's ERC-20 at `at`: deployed normally, then its code and first storage slots
    (name, symbol, decimals, supply live there) copied to the canonical address."""
    deployer = w3.eth.accounts[0]
    tx = w3.eth.send_transaction({"from": deployer, "data": "0x" + initcode(
        "ERC20", name, symbol, decimals).hex()})
    deployed = w3.eth.wait_for_transaction_receipt(tx)["contractAddress"]
    w3.provider.make_request("anvil_setCode", [at, "0x" + w3.eth.get_code(deployed).hex()])
    for slot in range(16):
        value = w3.eth.get_storage_at(deployed, slot)
        w3.provider.make_request("anvil_setStorageAt", [at, hex(slot), "0x" + value.hex()])


MIRROR_CHAIN_ID = 31_337_101


@pytest.fixture(scope="module")
def mirror_node():
    """An anvil node with Ethereum's canonical tokens (and LINK) at their real addresses."""
    anvil_or_fail()
    from steward.chains.anvil import AnvilNode

    with AnvilNode(chain_id=MIRROR_CHAIN_ID) as node:
        w3 = Web3(HTTPProvider(node.url))
        for symbol, address in {**ETHEREUM.tokens, "LINK": LINK}.items():
            decimals = token_list.listed(1, address).decimals
            place_token(w3, address, f"{symbol} mirror", symbol, decimals)
        yield node


@pytest.mark.anvil
def test_chains_add_refuses_a_node_serving_another_chain_id(anvil_nodes, steward_home):
    l1, _ = anvil_nodes
    result = run_cli("chains", "add", "ethereum", "--rpc-url", l1.url, home=steward_home)
    assert result.returncode == 1
    assert "serves chain id 31337001" in result.stderr and "chain id is 1" in result.stderr
    assert "nothing was written" in result.stderr
    assert not (steward_home / "config.toml").exists()
    assert "ethereum" not in load_config().chains


@pytest.mark.anvil
def test_chains_add_from_preset_on_a_mirror_node(mirror_node, steward_home):
    result = run_cli("chains", "add", "mainnet", "--rpc-url", mirror_node.url,
                     "--chain-id-override", str(MIRROR_CHAIN_ID), "--token", "link",
                     home=steward_home)
    assert result.returncode == 0, result.stderr
    assert "WARNING" in result.stderr and "--chain-id-override" in result.stderr
    assert "LINK" in result.stdout
    added = load_config().chain("mainnet")
    assert added.name == "ethereum" and added.chain_id == MIRROR_CHAIN_ID
    assert added.rpc_url == mirror_node.url and added.native_symbol == "ETH"
    assert added.aliases == ETHEREUM.aliases
    assert added.tokens == {**ETHEREUM.tokens, "LINK": LINK}
    assert added.token_decimals == {"WETH": 18, "USDC": 6, "USDT": 6, "DAI": 18, "LINK": 18}
    assert added.trusted_tokens == list(ETHEREUM.tokens)  # LINK is not trusted
    # This node has the tokens but no exchange: venues without code are left out, and said so.
    assert added.contracts == {"weth": ETHEREUM.tokens["WETH"]}
    assert "not on this node (left out): Uniswap V3, Uniswap V2, SushiSwap V2" in result.stdout
    raw = tomllib.loads((steward_home / "config.toml").read_text())["chains"]["ethereum"]
    assert raw["contracts"] == {"weth": ETHEREUM.tokens["WETH"]}
    assert chains.connect("ethereum").eth.chain_id == MIRROR_CHAIN_ID
    listed = run_cli("chains", "list", "--json", home=steward_home)
    assert "ethereum" in {c["name"] for c in json.loads(listed.stdout)}
    # Adding it again is refused; removing it works, and then it can be added again.
    again = run_cli("chains", "add", "ethereum", "--rpc-url", mirror_node.url,
                    "--chain-id-override", str(MIRROR_CHAIN_ID), home=steward_home)
    assert again.returncode == 1 and "already configured" in again.stderr
    removed = run_cli("chains", "remove", "mainnet", home=steward_home)
    assert removed.returncode == 0 and "ethereum" not in load_config().chains


@pytest.mark.anvil
def test_chains_add_token_flags_unknown_and_ambiguous(mirror_node, steward_home):
    override = MIRROR_CHAIN_ID
    with pytest.raises(StewardError, match="not in the Uniswap default token list"):
        add_chain("ethereum", mirror_node.url, ["NOTALISTEDTOKEN"], override)
    with pytest.raises(token_list.AmbiguousTokenError, match="give the address instead"):
        add_chain("ethereum", mirror_node.url, ["LIT"], override)
    # A canonical token named again, by symbol or address, is registered once.
    added, _ = add_chain("ethereum", mirror_node.url, ["usdc", ETHEREUM.tokens["DAI"].lower()],
                         override)
    assert added.tokens == ETHEREUM.tokens


@pytest.mark.anvil
def test_chains_add_refuses_a_chain_id_another_chain_has(mirror_node, steward_home):
    # The override cannot make a second chain share sandbox-l1's id (nonces are per chain id).
    with pytest.raises(StewardError, match="already configured as sandbox-l1"):
        add_chain("ethereum", mirror_node.url, [], 1_337_001)
    assert not (steward_home / "config.toml").exists()


@pytest.mark.anvil
def test_chains_add_refuses_decimals_that_differ_from_the_list(steward_home):
    anvil_or_fail()
    from steward.chains.anvil import AnvilNode

    with AnvilNode(chain_id=31_337_102) as node:
        w3 = Web3(HTTPProvider(node.url))
        # No code at the canonical WETH: not this chain.
        with pytest.raises(StewardError, match="has no contract code on this node"):
            add_chain("ethereum", node.url, [], 31_337_102)
        # A node whose USDC answers 18 decimals (the list says 6): an amount would mean
        # 10**12 times more; refused, nothing written.
        for symbol, address in ETHEREUM.tokens.items():
            place_token(w3, address, symbol, symbol, 18)
        with pytest.raises(StewardError, match="USDC .* answers 18 decimals .* says 6"):
            add_chain("ethereum", node.url, [], 31_337_102)
    assert not (steward_home / "config.toml").exists()


# --- fees per chain from the node ------------------------------------------------------------
def send_through_executor(url: str, chain_id: int) -> dict:
    """A native transfer judged by the guard and signed by the executor on the chain at `url`;
    returns the transaction as the node has it."""
    from steward.chains.config import update_chain
    from steward.chains.embedded import dev_account
    from steward.execution import Executor
    from steward.guard import review
    from steward.guard.mandate import unrestricted_mandate
    from steward.plans import Call, Plan

    update_chain("fee-test", chain_id=chain_id, rpc_url=url)
    sender = dev_account(0)
    recipient = Web3.to_checksum_address("0x" + "ab" * 20)
    plan = Plan(chain="fee-test", sender=sender.address, summary="pay", calls=[
        Call(to=recipient, value=10**15, description="pay 0.001 ETH", gas_hint=21_000)])
    verdict = review(plan, "fee-operator", mandate=unrestricted_mandate("fee-operator"))
    result = Executor(sender, "fee-operator").execute(plan, verdict)
    w3 = Web3(HTTPProvider(url))
    assert w3.eth.get_balance(recipient) == 10**15
    return w3.eth.get_transaction(result.tx_hashes[0])


@pytest.mark.anvil
def test_fees_from_a_node_without_base_fee_sign_a_legacy_transaction(steward_home):
    """The fee choice and the fields it signs, on their own (the executor test below also
    needs the plan's simulation to run on a pre-Shanghai node)."""
    anvil_or_fail()
    from eth_account import Account

    from steward.chains.anvil import AnvilNode
    from steward.chains.embedded import dev_account
    from steward.execution import fees_and_balance

    with AnvilNode(chain_id=31_337_106, extra_args=["--hardfork", "berlin"]) as node:
        w3 = Web3(HTTPProvider(node.url))
        sender = dev_account(0)
        fees, held = fees_and_balance(w3, sender.address)
        assert fees.legacy and fees.max_fee == w3.eth.gas_price
        assert fees.fields() == {"gasPrice": w3.eth.gas_price}
        assert held == w3.eth.get_balance(sender.address)
        recipient = Account.create().address
        signed = sender.sign_transaction({
            "to": recipient, "value": 1, "gas": 21_000, "chainId": 31_337_106,
            "nonce": w3.eth.get_transaction_count(sender.address), **fees.fields()})
        sent = w3.eth.send_raw_transaction(signed.raw_transaction)
        assert w3.eth.wait_for_transaction_receipt(sent)["status"] == 1
        assert w3.eth.get_transaction(sent)["type"] == 0 and w3.eth.get_balance(recipient) == 1


@pytest.mark.anvil
def test_a_node_without_base_fee_gets_a_legacy_transaction(steward_home):
    anvil_or_fail()
    from steward.chains.anvil import AnvilNode

    with AnvilNode(chain_id=31_337_103, extra_args=["--hardfork", "berlin"]) as node:
        w3 = Web3(HTTPProvider(node.url))
        assert "baseFeePerGas" not in w3.eth.get_block("latest")
        tx = send_through_executor(node.url, 31_337_103)
        assert tx["type"] == 0
        assert tx["gasPrice"] == w3.eth.gas_price
        assert "maxFeePerGas" not in tx


@pytest.mark.anvil
def test_an_eip1559_node_gets_a_type2_transaction_with_its_priority_fee(steward_home):
    anvil_or_fail()
    from steward.chains.anvil import AnvilNode

    with AnvilNode(chain_id=31_337_104) as node:
        w3 = Web3(HTTPProvider(node.url))
        base_fee = w3.eth.get_block("latest")["baseFeePerGas"]
        suggested = int(w3.provider.make_request("eth_maxPriorityFeePerGas", [])["result"], 16)
        tx = send_through_executor(node.url, 31_337_104)
        assert tx["type"] == 2
        assert tx["maxPriorityFeePerGas"] == suggested
        assert tx["maxFeePerGas"] == 2 * base_fee + suggested


@pytest.mark.anvil
@pytest.mark.filterwarnings("ignore:There was an issue with the method eth_maxPriorityFeePerGas")
def test_a_node_without_the_priority_fee_method_gets_the_fee_history_tip(steward_home):
    anvil_or_fail()
    from steward.chains.anvil import AnvilNode

    tip = 1_200_000_000  # what recent blocks paid: between web3's 1 and 1.5 gwei bounds
    with AnvilNode(chain_id=31_337_105) as node:
        w3 = Web3(HTTPProvider(node.url))
        paid = w3.eth.send_transaction({
            "from": w3.eth.accounts[1], "to": w3.eth.accounts[2], "value": 1,
            "maxPriorityFeePerGas": tip,
            "maxFeePerGas": 2 * w3.eth.get_block("latest")["baseFeePerGas"] + tip})
        w3.eth.wait_for_transaction_receipt(paid)
        # A front for the node that, like some nodes, lacks eth_maxPriorityFeePerGas.
        lacking = without_method("eth_maxPriorityFeePerGas", "method not found")
        with JsonRpcProxy(node.url, on_request=lacking) as front:
            missing = Web3(HTTPProvider(front.url)).provider.make_request(
                "eth_maxPriorityFeePerGas", [])
            assert missing["error"]["code"] == -32601
            tx = send_through_executor(front.url, 31_337_105)
        assert tx["type"] == 2
        assert tx["maxPriorityFeePerGas"] == tip  # from eth_feeHistory, not a default


def test_no_preset_name_or_alias_reads_as_a_token_symbol():
    """The parser takes chain names and token symbols from the same words: an alias like "eth"
    turned "swap 500 USDC for ETH" into a swap for nothing on Ethereum."""
    from steward.chains import token_list
    from steward.intents import lexer

    symbols = ({t.symbol.lower() for t in token_list.token_list().tokens}
               | set(lexer.TOKEN_NAMES) | lexer._WORLD_TOKENS)
    for p in PRESETS.values():
        for word in [p.name, *p.aliases]:
            assert word not in symbols, f"{p.name}: '{word}' is also a token symbol"
