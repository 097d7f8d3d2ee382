"""The sandbox world: two chains with tokens, pools, a bridge, contacts and funded wallets.

WETH9, Uniswap V2 + V3 (Uniswap's published contracts) and the stables sit at the addresses of
the chain each sandbox chain mirrors (`SANDBOX_MIRRORS`: sandbox-l1 ↔ ethereum, sandbox-l2 ↔
optimism), so the same adapters and addresses work offline and on mainnet; they are *placed*
there (`placement.py`), the pools are in `dex.py`.

`up()` is idempotent: contracts are deployed or placed only where the recorded addresses hold
no code, and wallets are topped up only below their targets. Everything else is sent by the
sandbox operator (the first development account) through Steward's own execution path and
journal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from steward import chains as chain_registry
from steward.chains.config import (
    SANDBOX_CHAINS,
    SANDBOX_SOLANA,
    ChainConfig,
    load_config,
    update_chain,
)
from steward.chains.backend import EmbeddedBackend, backend_for
from steward.chains.embedded import close_all, dev_account
from steward.contacts import remove_contacts, save_contact
from steward.contracts import abi, initcode, uniswap
from steward.errors import StewardError
from steward.execution import Executor
from steward.guard import approve, forget_cached_facts, review
from steward.guard.mandate import unrestricted_mandate, write_default_mandate
from steward.home import steward_home
from steward.plans import Call, Plan
from steward.protocols import erc20, oracle
from steward.protocols.bridge import Relayer
from steward.sandbox.commerce import deploy_commerce
from steward.sandbox.dex import (
    ETH_PRICE_USD,
    UNISWAP_ROLES,
    V3_POOLS,
    check_pool_addresses,
    mirrored_preset,
    place_uniswap,
    pool_needs,
    seed_v2_pools,
    seed_v3_pools,
)
from steward.sandbox.placement import place
from steward.sandbox.zoo import deploy_zoo
from steward.wallets import WalletStore, read_passphrase

L1, L2 = "sandbox-l1", "sandbox-l2"
ETH = 10**18
USD6 = 10**6
WALLET_TARGETS = {"ETH": 10 * ETH, "USDC": 10_000 * USD6, "USDT": 10_000 * USD6}
# The pools (Uniswap V2 pairs and V3 positions, ETH ≈ $3,000) are in steward.sandbox.dex.
# The stables are Steward's own ERC20 (6 decimals) at the mirrored chain's USDC/USDT addresses.
STABLES = {"USDC": "USD Coin", "USDT": "Tether USD"}
AUTHORIZED_STABLES = {"USDC": "AuthorizedERC20"}
# The mirrored chain's other canonical tokens: placed (empty) so that a node mirroring it is a
# complete stand-in for `steward chains add`, but not part of the sandbox's own registry.
MIRROR_ONLY = {"DAI": ("Dai Stablecoin", 18)}
# The sandbox's reference price feeds (Chainlink's MockV3Aggregator, 8 decimals like Chainlink's
# USD feeds), written by the operator at every `sandbox up` older than FEED_REFRESH_SECONDS.
FEED_DECIMALS = 8
SOL_PRICE_USD = 150
FEEDS = {"ETH": ETH_PRICE_USD * 10**FEED_DECIMALS, "USDC": 10**FEED_DECIMALS,
         "USDT": 10**FEED_DECIMALS, "SOL": SOL_PRICE_USD * 10**FEED_DECIMALS}
FEED_REFRESH_SECONDS = 3600
# What the operator keeps on L2 for later top-ups, beyond what the pools need.
L2_FAUCET_RESERVE = 1_000_000 * USD6
# WETH for the V2 and V3 pools (2,500) and the zoo's pools (28 × 20 = 560), plus gas and top-ups.
OPERATOR_ETH_NEEDED = 3_300 * ETH
CONTACTS = {"alice": 1, "bob": 2, "carol": 3}
DEFAULT_WALLET = "main"
OPERATOR_WALLET = "sandbox"

Progress = Callable[[str], None]


@dataclass
class SummaryRow:
    chain: str
    backend: str
    chain_id: int
    block: int
    contracts: dict[str, str]
    tokens: dict[str, str]


class SandboxBuilder:
    def __init__(self, progress: Progress = lambda message: None):
        self.progress = progress
        self.operator = dev_account(0)
        self.executor = Executor(self.operator, OPERATOR_WALLET)
        # The operator moves only sandbox money; it is judged like everyone, with no limits.
        self.mandate = unrestricted_mandate(OPERATOR_WALLET)

    # --- sending -------------------------------------------------------------------------
    def send(self, chain: ChainConfig, call: Call):
        plan = Plan(chain=chain.name, sender=self.operator.address, calls=[call],
                    summary=call.description)
        verdict = review(plan, OPERATOR_WALLET, mandate=self.mandate)
        if verdict.decision == "confirm":
            # The operator is the sandbox's own automation (faucet, deployer, relayer): no person
            # stands behind it to ask, and its relays go where the people's transfers said
            # (a guarded account is a contract). A denial still stops it.
            verdict = approve(verdict, by="sandbox operator")
        return self.executor.execute(plan, verdict).steps[0]

    def deploy(self, chain: ChainConfig, name: str, *args, label: str | None = None) -> str:
        """Deploy Steward's contract `name` wherever CREATE puts it."""
        code = initcode(name, *args)
        label = label or name
        step = self.send(chain, Call(to=None, data="0x" + code.hex(), description=f"deploy {label}",
                                     gas_hint=6_000_000))
        self.progress(f"{chain.name}: deployed {label} at {step.contract_address}")
        return step.contract_address

    def place(self, chain: ChainConfig, address: str, name: str, *args,
              label: str | None = None) -> bool:
        """Put contract `name` (a "uniswap/…" artifact or Steward's own) at a fixed address,
        constructed by the operator (steward.sandbox.placement); False if code is there."""
        code = uniswap.initcode(name, *args) if name.startswith("uniswap/") else initcode(
            name, *args)
        label = label or name

        def deploy(creation: bytes):
            return self.send(chain, Call(to=None, data="0x" + creation.hex(), gas_hint=6_000_000,
                                         description=f"deploy {label} (to place at {address})"))

        return place(chain_registry.connect(chain), chain, address, code,
                     sender=self.operator.address, deploy=deploy, label=label,
                     progress=self.progress)

    def call(self, chain: ChainConfig, address: str, abi_name: str, function: str, *args,
             value: int = 0, description: str | None = None):
        w3 = chain_registry.connect(chain)
        data = erc20.encode(w3, address, abi_name, function, *args)
        return self.send(chain, Call(to=address, data=data, value=value,
                                     description=description or f"{abi_name}.{function}"))

    # --- world ---------------------------------------------------------------------------
    def ensure_operator_funds(self, chain: ChainConfig) -> None:
        w3 = chain_registry.connect(chain)
        if w3.eth.get_balance(self.operator.address) >= OPERATOR_ETH_NEEDED:
            return
        backend = backend_for(chain)
        if isinstance(backend, EmbeddedBackend):
            raise StewardError(f"the sandbox operator ran out of ETH on {chain.name}; "
                               "run `steward sandbox reset`")
        if not backend.can_set_balance:  # anvil (and hardhat) let a dev node set balances
            raise StewardError(
                f"the sandbox operator {self.operator.address} needs "
                f"{OPERATOR_ETH_NEEDED // ETH} ETH on {chain.name} ({chain.rpc_url}); "
                "use an anvil node, or fund that address")
        backend.set_balance(self.operator.address, 10 * OPERATOR_ETH_NEEDED)

    def is_deployed(self, chain: ChainConfig) -> bool:
        """Everything `deploy_core` and `seed_pools` make is there (code at every recorded
        contract and stable, every V3 pool created)."""
        needed = ("weth", "bridge", *UNISWAP_ROLES)
        if any(role not in chain.contracts for role in needed) or any(
                symbol not in chain.tokens for symbol in STABLES):
            return False
        w3 = chain_registry.connect(chain)
        addresses = [chain.contracts[role] for role in needed] + [
            chain.tokens[symbol] for symbol in STABLES]
        if not all(w3.eth.get_code(address) for address in addresses):
            return False
        factory = w3.eth.contract(address=chain.contracts["uniswap-v3:factory"],
                                  abi=uniswap.abi("uniswap/UniswapV3Factory"))
        return all(int(factory.functions.getPool(chain.tokens[p.symbol_a],
                                                 chain.tokens[p.symbol_b], p.fee).call(), 16)
                   for p in V3_POOLS)

    def deploy_core(self, chain: ChainConfig, stables_native: bool) -> ChainConfig:
        """WETH9, Uniswap V2 + V3 and the stables at the mirrored chain's addresses (placed
        only where no code is), and the bridge (deployed unless the recorded one is there)."""
        preset = mirrored_preset(chain.name)
        contracts = place_uniswap(self, chain)
        bridge = chain.contracts.get("bridge")
        if not bridge or not chain_registry.connect(chain).eth.get_code(bridge):
            bridge = self.deploy(chain, "Bridge")
        tokens = {"WETH": contracts["weth"]}
        for symbol, name in STABLES.items():
            tokens[symbol] = preset.tokens[symbol]
            # USDC authorizes transfers by signature (EIP-3009) like Circle's FiatToken v2, so
            # x402 payments settle on the sandbox; the ABI is the ERC20 one plus those functions.
            contract = AUTHORIZED_STABLES.get(symbol, "ERC20")
            self.place(chain, tokens[symbol], contract, name, symbol, 6,
                       label=f"{symbol} ({contract})")
            if not stables_native:  # on L2 only the bridge may mint the stables
                self.only_bridge_mints(chain, tokens[symbol], bridge)
        for symbol, (name, decimals) in MIRROR_ONLY.items():
            if symbol in preset.tokens:
                self.place(chain, preset.tokens[symbol], "ERC20", name, symbol, decimals,
                           label=f"{symbol} (ERC20, mirror only)")
        contracts["bridge"] = bridge
        return update_chain(chain.name, tokens=tokens, contracts=contracts,
                            trusted_tokens=sorted(tokens))

    def only_bridge_mints(self, chain: ChainConfig, token: str, bridge: str) -> None:
        """Make `bridge` the stable's only minter (a stable placed by an earlier run on the
        same node may still list that run's bridge; its constructor made the operator one)."""
        stable = chain_registry.connect(chain).eth.contract(address=token, abi=abi("ERC20"))
        if not stable.functions.minters(bridge).call():
            self.call(chain, token, "ERC20", "set_minter", bridge, True)
        named = {event.args.account for event in stable.events.MinterSet().get_logs(from_block=0)}
        for account in sorted(named | {self.operator.address}):
            if account != bridge and stable.functions.minters(account).call():
                self.call(chain, token, "ERC20", "set_minter", account, False)

    def ensure_feeds(self, chain: ChainConfig) -> ChainConfig:
        """Deploy the reference feeds a chain lacks (``feed:<SYMBOL>`` in its contracts) and
        write the sandbox prices into any whose answer is older than FEED_REFRESH_SECONDS."""
        w3 = chain_registry.connect(chain)
        now = max(w3.eth.get_block("latest")["timestamp"], int(time.time()))
        contracts = dict(chain.contracts)
        for symbol, answer in FEEDS.items():
            role = f"feed:{symbol}"
            address = contracts.get(role)
            if not address or not w3.eth.get_code(address):
                contracts[role] = self.deploy(chain, "chainlink/MockV3Aggregator", FEED_DECIMALS,
                                              answer, label=f"{symbol}/USD price feed")
                continue
            feed = w3.eth.contract(address=address, abi=abi("chainlink/MockV3Aggregator"))
            _, current, _, updated_at, _ = feed.functions.latestRoundData().call()
            if current != answer or now - updated_at > FEED_REFRESH_SECONDS:
                self.call(chain, address, "chainlink/MockV3Aggregator", "updateAnswer", answer,
                          description=f"update the {symbol}/USD price feed")
        if contracts != chain.contracts:
            chain = update_chain(chain.name, contracts=contracts)
        return chain

    def link_bridges(self, l1: ChainConfig, l2: ChainConfig) -> None:
        for symbol in STABLES:
            self.call(l1, l1.contracts["bridge"], "Bridge", "register_token", l1.tokens[symbol],
                      l2.chain_id, l2.tokens[symbol], False)
            self.call(l2, l2.contracts["bridge"], "Bridge", "register_token", l2.tokens[symbol],
                      l1.chain_id, l1.tokens[symbol], True)
        self.progress("bridge linked: USDC and USDT lock on sandbox-l1 and mint on sandbox-l2")

    def relayer(self) -> Relayer:
        config = load_config()
        return Relayer([config.chains[L1], config.chains[L2]], chain_registry.connect, self.send)

    def bridge_to_l2(self, l1: ChainConfig, l2: ChainConfig, symbol: str, amount: int,
                     recipient: str) -> None:
        token = l1.tokens[symbol]
        self.call(l1, token, "ERC20", "mint", self.operator.address, amount)
        self.call(l1, token, "ERC20", "approve", l1.contracts["bridge"], amount)
        self.call(l1, l1.contracts["bridge"], "Bridge", "lock", token, amount, recipient,
                  l2.chain_id, description=f"bridge {symbol} to {l2.name}")
        self.relayer().run_once()

    def seed_pools(self, chain: ChainConfig) -> None:
        """The V2 pairs and V3 positions of steward.sandbox.dex, then a check that each
        sits where the periphery computes it."""
        seed_v2_pools(self, chain)
        seed_v3_pools(self, chain)
        check_pool_addresses(chain_registry.connect(chain), chain)

    def top_up(self, chain: ChainConfig, address: str, label: str) -> list[str]:
        w3 = chain_registry.connect(chain)
        funded = []
        eth_short = WALLET_TARGETS["ETH"] - w3.eth.get_balance(address)
        if eth_short > 0:
            self.send(chain, Call(to=address, value=eth_short,
                                  description=f"fund {label} with ETH"))
            funded.append("ETH")
        for symbol in STABLES:
            token = chain.tokens[symbol]
            short = WALLET_TARGETS[symbol] - erc20.balance_of(w3, token, address)
            if short <= 0:
                continue
            if chain.name == L1:
                self.call(chain, token, "ERC20", "mint", address, short,
                          description=f"fund {label} with {symbol}")
            else:
                self.call(chain, token, "ERC20", "transfer", address, short,
                          description=f"fund {label} with {symbol}")
            funded.append(symbol)
        return funded


def configure_rpc(l1_url: str | None, l2_url: str | None) -> None:
    """Point the sandbox chains at RPC nodes (e.g. two anvils); their chain ids must differ."""
    if bool(l1_url) != bool(l2_url):
        raise StewardError("give both --l1-url and --l2-url, or neither for the embedded chains")
    if not l1_url:
        return
    ids = {}
    for name, url in ((L1, l1_url), (L2, l2_url)):
        ids[name] = chain_registry.connect_rpc(url, name=name).eth.chain_id
    if ids[L1] == ids[L2]:
        raise StewardError(f"both URLs serve chain id {ids[L1]}; start the nodes with distinct "
                           "--chain-id values so transactions cannot be replayed across them")
    for name, url in ((L1, l1_url), (L2, l2_url)):
        current = load_config().chains.get(name)
        moved = current is None or current.rpc_url != url or current.chain_id != ids[name]
        update_chain(name, rpc_url=url, chain_id=ids[name],
                     **({"tokens": {}, "contracts": {}, "trusted_tokens": [], "token_decimals": {}}
                        if moved else {}))
    chain_registry.forget_connections()


def ensure_wallet(store: WalletStore, progress: Progress) -> None:
    if not store.list():
        store.create(DEFAULT_WALLET, read_passphrase(confirm=True))
        progress(f"created wallet '{DEFAULT_WALLET}' (keystore in {steward_home() / 'wallets'})")
        path = write_default_mandate(DEFAULT_WALLET)
        progress(f"wrote the conservative default mandate for '{DEFAULT_WALLET}' to {path}")


def up(l1_url: str | None = None, l2_url: str | None = None,
       progress: Progress = lambda message: None, dao: bool = False) -> list[SummaryRow]:
    """Deploy (or top up) the sandbox world; with `dao`, also the sandbox DAO and its live
    proposals (`steward.sandbox.dao`: the CLI's default; library callers and the tests' shared
    world leave it out, and `steward dao` deploys it on first use)."""
    configure_rpc(l1_url, l2_url)
    store = WalletStore()
    ensure_wallet(store, progress)
    builder = SandboxBuilder(progress)
    config = load_config()
    l1, l2 = config.chain(L1), config.chain(L2)
    for chain in (l1, l2):
        builder.ensure_operator_funds(chain)
    fresh = not (builder.is_deployed(l1) and builder.is_deployed(l2))
    if fresh:
        l1 = builder.deploy_core(l1, stables_native=True)
        l2 = builder.deploy_core(l2, stables_native=False)
        builder.link_bridges(l1, l2)
        for symbol in STABLES:
            builder.call(l1, l1.tokens[symbol], "ERC20", "mint", builder.operator.address,
                         pool_needs(symbol), description=f"mint {symbol} for the pools")
            builder.bridge_to_l2(l1, l2, symbol, pool_needs(symbol) + L2_FAUCET_RESERVE,
                                 builder.operator.address)
        for chain in (l1, l2):
            builder.seed_pools(chain)
    # Reference price feeds before anything else is valued; only missing feeds deploy.
    l1 = builder.ensure_feeds(load_config().chain(L1))
    l2 = builder.ensure_feeds(load_config().chain(L2))
    # The scam zoo (and its honest neighbours) for due diligence; only missing tokens deploy.
    deploy_zoo(builder, load_config().chain(L1), progress)
    # Agent commerce (registry, escrow, pool, reputation); only missing contracts deploy.
    l1 = deploy_commerce(builder, load_config().chain(L1), progress)
    # Steward deployed these tokens itself: their decimals go into the registry now, and every
    # later plan converts amounts with them and refuses a state that reports others.
    for name in SANDBOX_CHAINS:
        chain = load_config().chain(name)
        erc20.record_registry_decimals(chain_registry.connect(chain), chain)
    l1 = load_config().chain(L1)
    for name, index in CONTACTS.items():
        save_contact(name, dev_account(index).address, note="sandbox counterparty")
    for wallet in store.list():
        if wallet.error:
            progress(f"skipped wallet {wallet.name}: {wallet.error}")
            continue
        for chain in (l1, l2):
            funded = builder.top_up(chain, wallet.address, f"wallet {wallet.name}")
            if funded:
                progress(f"{chain.name}: funded wallet {wallet.name} with {', '.join(funded)}")
    _up_solana(builder, l1, store, progress)
    if dao:
        from steward.sandbox.dao import seed_proposals

        seed_proposals(L1, progress)
    return status()


def _up_solana(builder: "SandboxBuilder", l1: ChainConfig, store: WalletStore,
               progress: Progress) -> None:
    """The Solana sandbox (LiteSVM): SOL, the USDC mint, risky mints, the bridge route from
    sandbox-l1, the contacts' Solana keys and the wallets' Solana funds."""
    from solders.pubkey import Pubkey

    from steward.sandbox import solana as solana_sandbox  # solders loads only where needed
    from steward.solana.bridge import register_sandbox_route

    sol = solana_sandbox.up(progress)
    if register_sandbox_route(builder.send, l1, sol, chain_registry.connect):
        progress(f"bridge linked: USDC locks on {L1} and mints on {sol.name}")
    _, sol_chain = solana_sandbox.sandbox_chain()
    for name, index in CONTACTS.items():
        save_contact(name, str(solana_sandbox.dev_keypair(index).pubkey()),
                     note="sandbox counterparty")
    for wallet in store.list():
        if not wallet.error and wallet.solana_address:
            funded = solana_sandbox.top_up(sol_chain, sol, Pubkey.from_string(wallet.solana_address))
            if funded:
                progress(f"{sol.name}: funded wallet {wallet.name} with {', '.join(funded)}")


def _solana_slot(chain: ChainConfig) -> int:
    from steward.solana import solana_chain

    return solana_chain(chain).slot()


def status() -> list[SummaryRow]:
    config = load_config()
    rows = []
    for name in SANDBOX_CHAINS:
        chain = config.chain(name)
        w3 = chain_registry.connect(chain)
        rows.append(SummaryRow(chain=name, backend=chain.backend_label, chain_id=chain.chain_id,
                               block=w3.eth.block_number, contracts=chain.contracts,
                               tokens=chain.tokens))
    for name in SANDBOX_SOLANA:
        chain = config.chain(name)
        rows.append(SummaryRow(chain=name, backend=chain.backend_label, chain_id=chain.chain_id,
                               block=_solana_slot(chain), contracts=chain.contracts,
                               tokens=chain.tokens))
    return rows


def reset() -> list[str]:
    """Forget the sandbox: embedded chains are deleted, RPC chains are detached from it."""
    done = []
    close_all()
    forget_cached_facts()
    oracle.forget()
    chain_registry.forget_connections()
    chains_dir = steward_home() / "chains"
    for name in SANDBOX_CHAINS:
        for suffix in ("", "-wal", "-shm"):
            (chains_dir / f"{name}.sqlite{suffix}").unlink(missing_ok=True)
        update_chain(name, rpc_url=None, chain_id=SANDBOX_CHAINS[name], tokens={}, contracts={},
                     trusted_tokens=[], token_decimals={})
        done.append(name)
    from steward.sandbox import solana as solana_sandbox

    solana_sandbox.reset()
    done += list(SANDBOX_SOLANA)
    (steward_home() / "relayer-cursors.json").unlink(missing_ok=True)
    (steward_home() / "solana-relayer-cursors.json").unlink(missing_ok=True)
    remove_contacts()
    return done


class SandboxRelayer:
    """Both of the sandbox's relayers: between the EVM chains, and between sandbox-l1 and the
    Solana sandbox. Each delivery is once-only on its destination chain."""

    def __init__(self, builder: "SandboxBuilder"):
        from steward.solana.bridge import sandbox_solana_relayer

        self.evm = builder.relayer()
        self.solana = sandbox_solana_relayer(builder.send, chain_registry.connect)

    def run_once(self) -> list:
        return [*self.evm.run_once(), *self.solana.run_once()]

    def run_forever(self, interval: float = 2.0, on_delivery=None) -> None:
        while True:
            for transfer in self.run_once():
                if on_delivery:
                    on_delivery(transfer)
            time.sleep(interval)


def bridge_relayer() -> SandboxRelayer:
    """The relayers for the sandbox bridges, signing with the operator keys."""
    return SandboxRelayer(SandboxBuilder())


__all__ = ["SummaryRow", "bridge_relayer", "reset", "status", "up"]
