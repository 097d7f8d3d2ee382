"""The scam zoo: real malicious (and a few legitimate) ERC-20s on a sandbox chain.

Each specimen is its own contract under ``steward/contracts/sources/zoo/`` whose mechanics are
real (a honeypot's sells really revert, a tax token really skims 99%, a proxy's admin really can
swap its code), so token diligence can be tested against bytecode, simulation and privilege
probing rather than labels. `deploy_zoo` deploys every specimen with the sandbox operator as its
deployer/owner, seeds a pool against WETH through the sandbox's Uniswap V2 router (the real one,
at its mainnet address), does the setup the pattern needs (renouncing, pointing the proxy at its
benign implementation), and records the tokens in the chain registry under the symbols of `ZOO`.

A few specimens keep their power somewhere a deployer-centred scan does not look: an address that
is not the deployer (`OPS`, fixed here so tests can act as it, and the operator never holds it),
or a helper contract the zoo deploys first. Their `Rig` says what to deploy, pass and call.

`deploy_zoo` skips tokens already recorded with code on the chain, so it is safe to call again;
the caller decides when to call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eth_abi import encode as abi_encode
from web3 import Web3

from steward import chains as chain_registry
from steward.chains.config import ChainConfig, load_config, update_chain
from steward.errors import StewardError
from steward.protocols.amm import deadline

ETH = 10**18
TOKEN = 10**18
SUPPLY = 1_000_000 * TOKEN  # all of it goes into the pool
POOL_ETH = 20 * ETH

# GoPlus-style risk fields a diligence check can report.
FLAG_FIELDS = (
    "is_honeypot", "sell_tax", "buy_tax", "cannot_sell_all", "is_mintable", "hidden_owner",
    "owner_change_balance", "is_blacklisted", "transfer_pausable", "trading_cooldown",
    "slippage_modifiable", "is_proxy", "can_take_back_ownership", "is_anti_whale", "selfdestruct",
    "external_call", "owner_can_move_holder_tokens", "owner_can_drain_pool",
)


def _fixed_address(label: str) -> str:
    return Web3.to_checksum_address(Web3.keccak(text=label)[-20:])


# Privileged addresses that are not the deployer; they exist only where a specimen keeps them.
OPS = _fixed_address("steward-zoo:ops")
TREASURY = _fixed_address("steward-zoo:treasury")  # ZCAPFEE's fee recipient, holds no power
RELEASE = _fixed_address("steward-zoo:release")  # ZRELEASE's unlimited sender

# contract-registry roles of the helper contracts some specimens need
BRIDGE_NOOP = "zoo-bridge-noop"  # ZBRIDGE's benign bridge
SELL_GUARD = "zoo-sell-guard"  # ZHELPER's guard, owned by the operator
TRANSFER_COUNTER = "zoo-transfer-counter"  # ZHOOKED's hook


@dataclass(frozen=True)
class Rig:
    """What a specimen needs beyond its constructor's (name, symbol, supply[, router]).

    `helpers`: (registry role, zoo source) contracts the operator deploys before the token;
    `args`: extra constructor arguments, each a fixed address or a helper's role;
    `calls`: (function, arguments in the same terms) the owner calls right after deployment.
    """
    helpers: tuple[tuple[str, str], ...] = ()
    args: tuple[str, ...] = ()
    calls: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class ZooEntry:
    pattern: str
    malicious: bool
    flags: tuple[str, ...]  # the FLAG_FIELDS a correct analysis must raise
    description: str
    source: str  # contract name, e.g. "zoo/Honeypot"
    name: str  # ERC-20 name()
    decimals: int = 18
    supply: int = SUPPLY
    pool_eth: int = POOL_ETH
    pair_aware: bool = True  # constructor (name, symbol, supply, router) creates the WETH pair
    renounce: bool = False  # the zoo calls renounceOwnership() after seeding the pool
    rig: Rig = Rig()


ZOO: dict[str, ZooEntry] = {
    "ZHONEY": ZooEntry(
        "honeypot", True, ("is_honeypot",),
        "buys work, but any transfer into the pool (a sell) reverts unless the owner "
        "whitelisted the sender", "zoo/Honeypot", "Zoo Honeypot"),
    "ZTAX99": ZooEntry(
        "99% sell tax", True, ("sell_tax",),
        "every transfer into the pool from a holder sends 99% of it to the owner",
        "zoo/SellTax99", "Zoo Sell Tax"),
    "ZMINT": ZooEntry(
        "hidden owner mint", True, ("is_mintable", "hidden_owner"),
        "owner() is renounced, but an address stored as rewardsController mints at will "
        "through distributeRewards", "zoo/HiddenMint", "Zoo Rewards", renounce=True),
    "ZSETBAL": ZooEntry(
        "owner rewrites balances", True, ("owner_change_balance",),
        "the owner can set any holder's balance to any value with setBalance",
        "zoo/BalanceRewrite", "Zoo Balance"),
    "ZBLACK": ZooEntry(
        "blacklist", True, ("is_blacklisted",),
        "the owner can block any address from sending or receiving with setBlacklist",
        "zoo/Blacklist", "Zoo Blacklist"),
    "ZPAUSE": ZooEntry(
        "pausable transfers", True, ("transfer_pausable",),
        "the owner can pause every transfer but its own", "zoo/PausableToken", "Zoo Pausable"),
    "ZCOOL": ZooEntry(
        "trading cooldown", True, ("trading_cooldown",),
        "a holder can send only once an hour; a second sell soon after the first reverts",
        "zoo/Cooldown", "Zoo Cooldown"),
    "ZMODTAX": ZooEntry(
        "owner-modifiable tax", True, ("slippage_modifiable",),
        "buy and sell taxes start at 0% but the owner can raise either to 100% with setTaxes",
        "zoo/MutableTax", "Zoo Mutable Tax"),
    "ZPROXY": ZooEntry(
        "upgradeable proxy", True, ("is_proxy",),
        "an EIP-1967 proxy running a benign token whose admin can upgrade it to a honeypot "
        "with a mint (the ProxyImplRug implementation is deployed and waiting)",
        "zoo/Proxy1967", "Zoo Proxy", pair_aware=False),
    "ZFAKERENO": ZooEntry(
        "fake renounce", True, ("hidden_owner", "can_take_back_ownership", "slippage_modifiable"),
        "owner() returns zero after renounceOwnership, but a private _liquidityManager still "
        "passes onlyOwner: it can raise the sell fee to 100% and take ownership back",
        "zoo/FakeRenounce", "Zoo Renounced", renounce=True),
    "ZLIAR": ZooEntry(
        "lying balanceOf", True, ("cannot_sell_all",),
        "half of every purchase is locked forever while balanceOf reports the full amount, "
        "so selling the reported balance reverts", "zoo/LyingBalance", "Zoo Liar"),
    "ZMAXSELL": ZooEntry(
        "max sell amount", True, ("is_anti_whale",),
        "sells above maxSellAmount (100 tokens, owner-settable) revert", "zoo/MaxSell",
        "Zoo Max Sell"),
    "ZSELFMINT": ZooEntry(
        "silent self-mint", True, ("is_mintable",),
        "the owner's airdropReserve credits its own balance out of nothing, with no change to "
        "totalSupply and no Transfer event", "zoo/SelfMint", "Zoo Airdrop"),
    "ZPACKED": ZooEntry(
        "packed hidden tax wallet", True, ("hidden_owner", "slippage_modifiable"),
        "owner() is renounced, but a taxWallet packed at byte offset 8 of a storage slot (between "
        "two counters) can raise the sell tax to 100% with updateSwapRate",
        "zoo/PackedTax", "Zoo Packed", renounce=True, rig=Rig(args=(OPS,))),
    "ZIMMUT": ZooEntry(
        "immutable hidden minter", True, ("hidden_owner", "is_mintable"),
        "owner() is renounced, but an operator compiled into the code as an immutable (in no "
        "storage slot) mints to anyone with syncRewards", "zoo/ImmutableOps", "Zoo Immutable",
        renounce=True, rig=Rig(args=(OPS,))),
    "ZBOTS": ZooEntry(
        "bot list", True, ("is_blacklisted",),
        "the owner marks holders as bots with addBots; a bot can neither send nor receive, so "
        "it can never sell", "zoo/Bots", "Zoo Bots"),
    "ZVETO": ZooEntry(
        "sell veto switch", True, ("transfer_pausable",),
        "with setSwapGuard(true) the owner closes the pool: every transfer into it but the "
        "owner's reverts, so sells die while buys work", "zoo/SwapGuard", "Zoo Swap Guard"),
    "ZBRIDGE": ZooEntry(
        "replaceable transfer hook", True, ("transfer_pausable",),
        "every transfer calls bridge.beforeTransfer; the zoo installs one that does nothing, "
        "but the owner can swap in any contract with initBridge, and one that reverts freezes "
        "every transfer", "zoo/BridgeHook", "Zoo Bridge",
        rig=Rig(helpers=((BRIDGE_NOOP, "zoo/NoopBridge"),),
                calls=(("initBridge", (BRIDGE_NOOP,)),))),
    "ZHELPER": ZooEntry(
        "blacklist in a helper contract", True, ("is_blacklisted",),
        "the token (no owner, no setter) asks an immutable guard contract on every sell; the "
        "guard's owner flags any seller with setFlag and that seller's sells revert",
        "zoo/GuardedSell", "Zoo Guarded",
        rig=Rig(helpers=((SELL_GUARD, "zoo/SellGuard"),), args=(SELL_GUARD,))),
    "ZTAKE": ZooEntry(
        "owner takes holders' tokens", True, ("owner_can_move_holder_tokens",),
        "transferFrom needs no allowance when the owner calls it: the owner moves any holder's "
        "tokens anywhere", "zoo/OwnerTake", "Zoo Take"),
    "ZDRAIN": ZooEntry(
        "pool drain", True, ("owner_can_drain_pool",),
        "the owner's rebalanceLiquidity moves tokens out of the pair's balance to itself and "
        "syncs the pair: the pool's token reserve falls with no trade", "zoo/PoolDrain",
        "Zoo Drain"),
    "ZADMIN": ZooEntry(
        "owner-appointed admin locks holders", True, ("is_blacklisted",),
        "the owner cannot freeze anyone itself, but it appoints keepers with appointKeeper and "
        "a keeper's freezeWallet stops that holder's transfers, so it can never sell",
        "zoo/KeeperFreeze", "Zoo Keeper"),
    "ZNOAPPROVE": ZooEntry(
        "holders cannot approve", True, ("is_honeypot",),
        "approve reverts for all but the owner and the pair, so a buyer can never allow the "
        "router and never sell; plain transfers work", "zoo/NoApprove", "Zoo No Approve"),
    "ZRELEASE": ZooEntry(
        "transfer mints from a release address", True, ("is_mintable",),
        "owner() is renounced, but a private _release address is never debited: its transfers "
        "credit the recipient out of nothing, totalSupply unchanged, with an ordinary Transfer",
        "zoo/ReleaseMint", "Zoo Release", renounce=True, rig=Rig(args=(RELEASE,))),
    "ZPLAIN": ZooEntry(
        "plain", False, (), "a fixed-supply ERC-20 with no owner", "zoo/PlainToken",
        "Zoo Plain", pair_aware=False),
    "ZPERMIT": ZooEntry(
        "EIP-2612 permit", False, (), "a fixed-supply ERC-20 with permit (signed approvals)",
        "zoo/PermitToken", "Zoo Permit", pair_aware=False),
    "ZCAPPED": ZooEntry(
        "capped supply", False, (),
        "its whole hard cap is minted at deployment and nothing can mint more; holders may burn",
        "zoo/CappedToken", "Zoo Capped", pair_aware=False),
    "ZRENOUNCED": ZooEntry(
        "ownable, renounced", False, (),
        "Ownable, but the owner's only powers concern ownership and it is really renounced",
        "zoo/RenouncedToken", "Zoo Ownable", pair_aware=False, renounce=True),
    "ZUSD": ZooEntry(
        "fee-free stablecoin", False, (),
        "a 6-decimal fixed-supply dollar token with no fees, owner or freezing",
        "zoo/Stablecoin", "Zoo Dollar", decimals=6, supply=60_000 * 10**6, pair_aware=False),
    "ZCAPFEE": ZooEntry(
        "capped sell fee", False, (),
        "Ownable; sells pay a 2% fee to a fixed treasury, and setFee can never go above 5%",
        "zoo/CappedFee", "Zoo Capped Fee", rig=Rig(args=(TREASURY,))),
    "ZHOOKED": ZooEntry(
        "fixed transfer hook", False, (),
        "no owner; every transfer calls an immutable hook contract that only counts transfers "
        "(no setter, no admin anywhere)", "zoo/Hooked", "Zoo Hooked", pair_aware=False,
        rig=Rig(helpers=((TRANSFER_COUNTER, "zoo/TransferCounter"),), args=(TRANSFER_COUNTER,))),
}

# contract-registry roles for the two implementations behind ZPROXY
PROXY_BENIGN = "zoo-proxy-benign"
PROXY_RUG = "zoo-proxy-rug"

for _symbol, _entry in ZOO.items():
    assert _symbol.isalnum() and len(_symbol) <= 11, _symbol
    assert set(_entry.flags) <= set(FLAG_FIELDS), _symbol


def pool_tokens(entry: ZooEntry) -> int:
    """How many tokens go into the pool: all of the supply (20 WETH against it)."""
    return entry.supply


def _deploy_token(builder, chain: ChainConfig, symbol: str, entry: ZooEntry,
                  contracts: dict[str, str]) -> str:
    router = chain.contracts["uniswap-v2:router"]
    label = f"{symbol} ({entry.pattern})"
    if symbol == "ZPROXY":
        benign = builder.deploy(chain, "zoo/ProxyImplBenign", label="ZPROXY benign implementation")
        rug = builder.deploy(chain, "zoo/ProxyImplRug", label="ZPROXY malicious implementation")
        contracts.update({PROXY_BENIGN: benign, PROXY_RUG: rug})
        init = Web3.keccak(text="initialize(string,string,uint256,address)")[:4] + abi_encode(
            ["string", "string", "uint256", "address"], [entry.name, symbol, entry.supply, router])
        return builder.deploy(chain, entry.source, benign, init, label=label)
    helpers = {role: builder.deploy(chain, source, label=f"{symbol} helper {source}")
               for role, source in entry.rig.helpers}
    contracts.update(helpers)
    args = [entry.name, symbol, entry.supply, *([router] if entry.pair_aware else []),
            *(helpers.get(arg, arg) for arg in entry.rig.args)]
    token = builder.deploy(chain, entry.source, *args, label=label)
    for function, call_args in entry.rig.calls:
        builder.call(chain, token, entry.source, function,
                     *(helpers.get(arg, arg) for arg in call_args),
                     description=f"{symbol}: {function}")
    return token


def deploy_zoo(builder, chain: ChainConfig,
               progress: Callable[[str], None] | None = None) -> dict[str, str]:
    """Deploy every `ZOO` token on `chain` with a WETH pool; returns symbol -> address.

    `builder` is a `steward.sandbox.SandboxBuilder`; its operator deploys, owns and provides
    the liquidity. Tokens already recorded with code on the chain are kept as they are.
    """
    say = progress or builder.progress
    w3 = chain_registry.connect(chain)
    router = chain.contracts["uniswap-v2:router"]
    operator = builder.operator.address
    current = load_config().chain(chain.name)
    weth = chain.tokens["WETH"]
    deployed: dict[str, str] = {}
    contracts: dict[str, str] = {}
    missing = {}
    for symbol, entry in ZOO.items():
        known = current.tokens.get(symbol)
        if known and w3.eth.get_code(known):
            deployed[symbol] = known
        else:
            missing[symbol] = entry
    if missing:
        # One wrap and one router approval for all the pools (cheaper than addLiquidityETH).
        weth_needed = sum(entry.pool_eth for entry in missing.values())
        builder.call(chain, weth, "uniswap/WETH9", "deposit", value=weth_needed,
                     description="wrap ETH for the zoo pools")
        builder.call(chain, weth, "ERC20", "approve", router, weth_needed,
                     description="approve WETH for the zoo pools")
    for symbol, entry in missing.items():
        try:
            token = _deploy_token(builder, chain, symbol, entry, contracts)
        except StewardError as exc:  # e.g. no solc for a Solidity specimen: the rest still come
            say(f"{chain.name}: skipped zoo token {symbol}: {exc}")
            continue
        amount = pool_tokens(entry)
        builder.call(chain, token, "ERC20", "approve", router, amount,
                     description=f"approve {symbol} for the pool")
        builder.call(chain, router, "uniswap/UniswapV2Router02", "addLiquidity", token, weth,
                     amount, entry.pool_eth, amount, entry.pool_eth, operator, deadline(w3),
                     description=f"add liquidity {symbol}/WETH")
        if entry.renounce:
            builder.call(chain, token, entry.source, "renounceOwnership",
                         description=f"renounce {symbol} ownership")
        deployed[symbol] = token
        say(f"{chain.name}: zoo token {symbol} ({entry.pattern}) at {token}")
    fresh = load_config().chain(chain.name)
    update_chain(chain.name, tokens={**fresh.tokens, **deployed},
                 contracts={**fresh.contracts, **contracts})
    return deployed


__all__ = ["BRIDGE_NOOP", "FLAG_FIELDS", "OPS", "PROXY_BENIGN", "PROXY_RUG", "RELEASE",
           "SELL_GUARD", "TRANSFER_COUNTER", "TREASURY", "ZOO", "Rig", "ZooEntry", "deploy_zoo"]
