"""The sandbox DAO: OpenZeppelin's Governor, an ERC20Votes token, a TimelockController holding the
treasury and a UUPS grants vault, deployed on a sandbox chain with delegations and live proposals.

Contracts (``steward.contracts`` compiles them from ``@openzeppelin/contracts`` 5.4 in one solc
run): ``dao/StewardVotes`` (SDAO, 18 decimals, a timestamp clock), ``dao/StewardGovernor``
(voting delay 1 s, voting period 3 days, threshold 0, quorum 4 % of the supply, nominal and
fractional votes), ``dao/TimelockController`` (2 days; proposer and canceller: the governor;
executor: anyone; its own admin only once set up: the treasury) and ``dao/GrantsVault`` behind
``dao/ERC1967Proxy``, owned by the timelock. They are recorded in the chain config as ``ROLES``
(the vault's role holds the proxy's address).

Everything is sent by the sandbox operator through the guard and the executor, except what
other accounts must sign themselves: the three delegators (development accounts 20, 21, 22)
and the proposer (account 20) send raw signed transactions, as the sandbox's counterparties do;
wallet "main" delegates to itself by a plan of its own, judged by the guard under its mandate.

`seed_proposals` records each proposal it made (targets, values, calldatas, description) in
``<home>/dao/<chain>-proposals.json``; the governor's ProposalCreated event carries the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from eth_utils import keccak, to_checksum_address
from web3 import Web3

from steward import chains as chain_registry
from steward.chains.config import ChainConfig, load_config, update_chain
from steward.chains.embedded import dev_account, persist
from steward.contracts import abi
from steward.errors import StewardError
from steward.home import home_path, write_private
from steward.plans import Call
from steward.protocols import erc20
from steward.sandbox.market import advance_time
from steward.wallets import WalletStore, read_passphrase

L1 = "sandbox-l1"
ROLES = {"token": "dao:token", "governor": "dao:governor", "timelock": "dao:timelock",
         "vault": "dao:vault"}
VAULT_V2_ROLE = "dao:vault-v2"  # the benign V2 implementation proposal 4 upgrades to
CONTRACTS = {"token": "dao/StewardVotes", "governor": "dao/StewardGovernor",
             "timelock": "dao/TimelockController", "vault": "dao/GrantsVault"}

ETH, USD6, SDAO = 10**18, 10**6, 10**18
ZERO_ADDRESS = "0x" + "00" * 20
MIN_DELAY = 2 * 24 * 3600  # the timelock's delay, seconds
VOTING_DELAY, VOTING_PERIOD, QUORUM_PERCENT = 1, 3 * 24 * 3600, 4  # as StewardGovernor.sol sets
TREASURY = {"USDC": 250_000 * USD6, "ETH": 5 * ETH, "SDAO": 100_000 * SDAO}
VAULT_USDC = 50_000 * USD6
MAIN_WALLET, DELEGATE_WALLET = "main", "delegate"
MAIN_SDAO = 60_000 * SDAO
# Development accounts no other sandbox code uses (0 operator, 1-3 contacts, 6-9 elsewhere,
# 10-19 the data market's tests): three delegators of "delegate", the hidden minter, the grantee.
DELEGATORS = {20: 50_000 * SDAO, 21: 30_000 * SDAO, 22: 20_000 * SDAO}
PROPOSER_INDEX = 20
MINTER_GRANTEE_INDEX = 23  # the EOA the malicious proposal makes a minter
GRANTEE_INDEX = 24  # the Ethereum Tooling Guild's address
SUPPLY = TREASURY["SDAO"] + MAIN_SDAO + sum(DELEGATORS.values())  # 260,000 SDAO, all handed out
GAS_MONEY = ETH  # what each delegator gets for its transactions
GRANT_USDC = 10_000 * USD6
MINTER_ROLE = keccak(text="MINTER_ROLE")
PROPOSER_ROLE, CANCELLER_ROLE = keccak(text="PROPOSER_ROLE"), keccak(text="CANCELLER_ROLE")
DEFAULT_ADMIN_ROLE = b"\x00" * 32

Progress = Callable[[str], None]


def _contract(w3: Web3, address: str, name: str):
    return w3.eth.contract(address=to_checksum_address(address), abi=abi(name))


def dao_contracts(config: ChainConfig) -> dict:
    """The DAO's four contracts on `config`'s chain as web3 contracts (token, governor,
    timelock, vault), read-only."""
    w3 = chain_registry.connect(config)
    missing = [role for role in ROLES.values() if role not in config.contracts]
    if missing:
        raise StewardError(f"{config.name} has no sandbox DAO ({', '.join(missing)} missing); "
                           "run `steward sandbox up`")
    return {key: _contract(w3, config.contracts[role], CONTRACTS[key])
            for key, role in ROLES.items()}


# --- sending as a development account ----------------------------------------------------------
def send_as(chain: ChainConfig, index: int, to: str, data: bytes | str, *, value: int = 0,
            what: str = "transaction") -> dict:
    """Development account `index` (a sandbox counterparty: a delegator, a proposer) sends one
    transaction the way every Steward transaction is sent: a plan judged by the guard (under the
    operator's unrestricted sandbox mandate, its confirmations approved as the operator's are)
    and signed by the executor, the one door. A plan the simulation shows reverting raises
    StewardError with the decoded reason and nothing is signed. Returns the receipt."""
    from steward.execution import Executor
    from steward.guard import GuardRefusal, approve, review
    from steward.guard.mandate import unrestricted_mandate
    from steward.plans import Plan

    wallet = f"sandbox-counterparty-{index}"
    signer = dev_account(index)
    data = "0x" + (data.hex() if isinstance(data, bytes) else data.removeprefix("0x"))
    plan = Plan(chain=chain.name, sender=signer.address, summary=what,
                calls=[Call(to=to_checksum_address(to), data=data, value=value,
                            description=what, gas_hint=3_000_000)])
    verdict = review(plan, wallet, mandate=unrestricted_mandate(wallet))
    if verdict.decision == "deny":
        raise GuardRefusal(f"{what} refused: " + "; ".join(r.message for r in verdict.reasons)
                           + "; nothing was signed")
    if verdict.decision == "confirm":
        verdict = approve(verdict, by="sandbox counterparty")
    step = Executor(signer, wallet).execute(plan, verdict).steps[0]
    w3 = chain_registry.connect(chain)
    return dict(w3.eth.get_transaction_receipt(step.tx_hash))


# --- the DAO -----------------------------------------------------------------------------------
def is_ready(config: ChainConfig) -> bool:
    """Every DAO contract has code and the set-up finished (its last step: the operator gave up
    the timelock's admin role)."""
    if any(role not in config.contracts for role in ROLES.values()):
        return False
    w3 = chain_registry.connect(config)
    if not all(w3.eth.get_code(config.contracts[role]) for role in ROLES.values()):
        return False
    timelock = _contract(w3, config.contracts[ROLES["timelock"]], CONTRACTS["timelock"])
    return not timelock.functions.hasRole(DEFAULT_ADMIN_ROLE, dev_account(0).address).call()


def ensure_dao(chain: str = L1, progress: Progress = lambda message: None) -> ChainConfig:
    """The sandbox DAO on `chain`: deployed, wired, funded and delegated if it is not yet
    (idempotent: once set up, a call sends nothing). Returns the chain config."""
    from steward.sandbox import SandboxBuilder

    config = load_config().chain(chain)
    if is_ready(config):
        return config
    store = WalletStore()
    if not store.exists(MAIN_WALLET):
        raise StewardError(f"no wallet '{MAIN_WALLET}': run `steward sandbox up` first")
    builder = SandboxBuilder(progress)
    config = _deploy(builder, config, progress)
    dao = dao_contracts(config)
    for role, label in ((PROPOSER_ROLE, "proposer"), (CANCELLER_ROLE, "canceller")):
        if not dao["timelock"].functions.hasRole(role, dao["governor"].address).call():
            builder.call(config, dao["timelock"].address, CONTRACTS["timelock"], "grantRole",
                         role, dao["governor"].address,
                         description=f"make the DAO governor the timelock's {label}")
    delegate = _ensure_delegate_wallet(builder, store, config, progress)
    _fund_treasury(builder, config, dao)
    main = store.get(MAIN_WALLET).address
    _hand_out(builder, config, dao["token"], {main: MAIN_SDAO} | {
        dev_account(i).address: amount for i, amount in DELEGATORS.items()})
    for index in DELEGATORS:
        _top_up_eth(builder, config, dev_account(index).address, GAS_MONEY,
                    f"gas money for DAO delegator {index}")
        if dao["token"].functions.delegates(dev_account(index).address).call() != delegate:
            send_as(config, index, dao["token"].address,
                    dao["token"].encode_abi("delegate", args=[delegate]),
                    what=f"delegator {index} delegates to '{DELEGATE_WALLET}'")
    if dao["token"].functions.delegates(main).call() != main:
        _self_delegate(config, dao["token"], main)
    # Last: the timelock administers itself alone from now on (is_ready reads this).
    builder.call(config, dao["timelock"].address, CONTRACTS["timelock"], "renounceRole",
                 DEFAULT_ADMIN_ROLE, builder.operator.address,
                 description="the sandbox operator gives up the DAO timelock's admin role")
    persist(chain_registry.connect(config))
    progress(f"{chain}: the sandbox DAO is set up (governor {dao['governor'].address})")
    return load_config().chain(chain)


def _deploy(builder, config: ChainConfig, progress: Progress) -> ChainConfig:
    """The four contracts, all deployed afresh unless every recorded one still has code (they
    name each other, so a partial set is not reused)."""
    w3 = chain_registry.connect(config)
    if all(role in config.contracts and w3.eth.get_code(config.contracts[role])
           for role in ROLES.values()):
        return config
    operator = builder.operator.address
    timelock = builder.deploy(config, CONTRACTS["timelock"], MIN_DELAY, [], [ZERO_ADDRESS],
                              operator, label="DAO timelock (TimelockController)")
    token = builder.deploy(config, CONTRACTS["token"], timelock, operator, SUPPLY,
                           label="DAO token SDAO (StewardVotes)")
    governor = builder.deploy(config, CONTRACTS["governor"], token, timelock,
                              label="DAO governor (StewardGovernor)")
    implementation = builder.deploy(config, "dao/GrantsVault", label="grants vault implementation")
    initialize = _contract(w3, implementation, "dao/GrantsVault").encode_abi(
        "initialize", args=[timelock])
    vault = builder.deploy(config, "dao/ERC1967Proxy", implementation,
                           bytes.fromhex(initialize.removeprefix("0x")),
                           label="grants vault (ERC1967Proxy)")
    deployed = {ROLES["timelock"]: timelock, ROLES["token"]: token, ROLES["governor"]: governor,
                ROLES["vault"]: vault}
    current = load_config().chain(config.name)
    return update_chain(config.name, contracts=current.contracts | deployed)


def _ensure_delegate_wallet(builder, store: WalletStore, config: ChainConfig,
                            progress: Progress) -> str:
    """Wallet "delegate" (created if missing, with the sandbox's passphrase like every sandbox
    wallet), holding ETH for its votes' gas. Returns its address."""
    from steward.guard.mandate import write_default_mandate

    if not store.exists(DELEGATE_WALLET):
        store.create(DELEGATE_WALLET, read_passphrase())
        write_default_mandate(DELEGATE_WALLET)
        progress(f"created wallet '{DELEGATE_WALLET}' (the DAO delegate)")
    address = store.get(DELEGATE_WALLET).address
    builder.top_up(config, address, f"wallet {DELEGATE_WALLET}")
    return address


def _top_up_eth(builder, config: ChainConfig, address: str, target: int, what: str) -> None:
    short = target - chain_registry.connect(config).eth.get_balance(address)
    if short > 0:
        builder.send(config, Call(to=address, value=short, description=what))


def _top_up_usdc(builder, config: ChainConfig, address: str, target: int, what: str) -> None:
    usdc = config.tokens["USDC"]
    short = target - erc20.balance_of(chain_registry.connect(config), usdc, address)
    if short > 0:  # the operator mints on L1 (as `SandboxBuilder.top_up` does), pays elsewhere
        function = "mint" if config.name == L1 else "transfer"
        builder.call(config, usdc, "ERC20", function, address, short, description=what)


def _fund_treasury(builder, config: ChainConfig, dao: dict) -> None:
    timelock, vault = dao["timelock"].address, dao["vault"].address
    _top_up_usdc(builder, config, timelock, TREASURY["USDC"], "fund the DAO treasury with USDC")
    _top_up_eth(builder, config, timelock, TREASURY["ETH"], "fund the DAO treasury with ETH")
    _top_up_usdc(builder, config, vault, VAULT_USDC, "fund the DAO grants vault with USDC")
    _hand_out(builder, config, dao["token"], {timelock: TREASURY["SDAO"]})


def _hand_out(builder, config: ChainConfig, token, targets: dict[str, int]) -> None:
    """The operator (holding the whole SDAO supply at deployment) tops each address up to its
    share."""
    for address, amount in targets.items():
        short = amount - token.functions.balanceOf(address).call()
        if short > 0:
            builder.call(config, token.address, CONTRACTS["token"], "transfer", address, short,
                         description=f"hand out {short // SDAO:,} SDAO")


def _self_delegate(config: ChainConfig, token, main: str) -> None:
    """Wallet "main" activates its votes: one plan of its own, judged by the guard under its
    mandate. The person who set up the sandbox asked for this very call (delegate(self) on the
    DAO token); a denial stops it."""
    from steward.commerce.agent import run_guarded
    from steward.execution import Executor

    executor = Executor.unlock(MAIN_WALLET, read_passphrase())
    call = Call(to=token.address, data=token.encode_abi("delegate", args=[main]),
                description="delegate SDAO votes to itself", gas_hint=200_000)

    def approver(verdict) -> bool:  # asked only about the plan built here
        return verdict.wallet == MAIN_WALLET and verdict.chain == config.name

    run_guarded(executor, config.name, [call], "activate SDAO votes (sandbox DAO set-up)",
                approver=approver)


# --- proposals ---------------------------------------------------------------------------------
GRANT_DESCRIPTION = "Grant 10,000 USDC to the Ethereum Tooling Guild"
QUORUM_DESCRIPTION = "Raise quorum to 5%"
KEEPER_DESCRIPTION = "Routine maintenance: rotate the vault's keeper"  # it mints, it rotates nothing
UPGRADE_DESCRIPTION = "Upgrade the grants vault to V2"


def proposals_path(chain: str):
    return home_path("dao", f"{chain}-proposals.json")


def recorded_proposals(chain: str = L1) -> dict[int, dict]:
    """proposal id -> {"description", "targets", "values", "calldatas" (0x hex), "proposer",
    "block" (where its ProposalCreated event is)} of the proposals `seed_proposals` made on
    `chain` (empty if none)."""
    path = proposals_path(chain)
    if not path.is_file():
        return {}
    return {int(key): value for key, value in json.loads(path.read_text()).items()}


def _record(chain: str, proposal_id: int, entry: dict) -> None:
    found = recorded_proposals(chain)
    found[proposal_id] = entry
    write_private(proposals_path(chain),
                  json.dumps({str(key): value for key, value in found.items()}, indent=2) + "\n")


def seed_actions(config: ChainConfig) -> list[tuple[str, list[str], list[int], list[str]]]:
    """The seeded proposals as (description, targets, values, calldatas): a grant, a parameter
    change, a hidden minter described as maintenance, and a benign upgrade."""
    dao = dao_contracts(config)
    w3 = chain_registry.connect(config)
    usdc = _contract(w3, config.tokens["USDC"], "ERC20")
    v2 = config.contracts[VAULT_V2_ROLE]
    return [
        (GRANT_DESCRIPTION, [usdc.address], [0],
         [usdc.encode_abi("transfer", args=[dev_account(GRANTEE_INDEX).address, GRANT_USDC])]),
        (QUORUM_DESCRIPTION, [dao["governor"].address], [0],
         [dao["governor"].encode_abi("updateQuorumNumerator", args=[5])]),
        (KEEPER_DESCRIPTION, [dao["token"].address], [0],
         [dao["token"].encode_abi("grantRole", args=[
             MINTER_ROLE, dev_account(MINTER_GRANTEE_INDEX).address])]),
        (UPGRADE_DESCRIPTION, [dao["vault"].address], [0],
         [dao["vault"].encode_abi("upgradeToAndCall", args=[v2, b""])]),
    ]


def seed_proposals(chain: str = L1, progress: Progress = lambda message: None) -> list[int]:
    """Four live proposals on the sandbox DAO, proposed by development account 20 and Active
    when this returns (the clock moved past the voting delay). One already on chain is not
    proposed again. Returns their ids, recorded with their actions (`recorded_proposals`)."""
    from steward.sandbox import SandboxBuilder

    config = ensure_dao(chain, progress)
    w3 = chain_registry.connect(config)
    if VAULT_V2_ROLE not in config.contracts or not w3.eth.get_code(config.contracts[VAULT_V2_ROLE]):
        v2 = SandboxBuilder(progress).deploy(config, "dao/GrantsVaultV2",
                                             label="grants vault V2 implementation")
        config = update_chain(chain, contracts=load_config().chain(chain).contracts
                              | {VAULT_V2_ROLE: v2})
    governor = dao_contracts(config)["governor"]
    recorded = recorded_proposals(chain)
    ids = []
    for description, targets, values, calldatas in seed_actions(config):
        proposal_id = governor.functions.hashProposal(
            targets, values, [bytes.fromhex(c.removeprefix("0x")) for c in calldatas],
            keccak(text=description)).call()
        ids.append(proposal_id)
        if governor.functions.proposalSnapshot(proposal_id).call():
            if proposal_id in recorded:
                continue
            block = None  # proposed before this home recorded it
        else:
            receipt = send_as(config, PROPOSER_INDEX, governor.address, governor.encode_abi(
                "propose", args=[targets, values, calldatas, description]),
                what=f"propose '{description}'")
            block = receipt["blockNumber"]
            progress(f"{chain}: proposed '{description}' ({proposal_id})")
        _record(chain, proposal_id, {"description": description, "targets": targets,
                                     "values": values, "calldatas": calldatas,
                                     "proposer": dev_account(PROPOSER_INDEX).address,
                                     "block": block})
    advance_past(config, max(governor.functions.proposalSnapshot(i).call() for i in ids))
    return ids


def advance_past(config: ChainConfig, timepoint: int) -> int:
    """Mine a block stamped after `timepoint` (a governor timepoint is a timestamp) if the
    chain's latest block is not already past it; returns the latest block's timestamp."""
    w3 = chain_registry.connect(config)
    latest = w3.eth.get_block("latest")["timestamp"]
    if latest > timepoint:
        return latest
    return advance_time(config, max(1, timepoint + 1 - latest))
