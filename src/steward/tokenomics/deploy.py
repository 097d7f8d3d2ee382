"""Put an AI company's token, its fee router and its USDC pool on a sandbox chain.

Everything is sent by the sandbox operator through `steward.sandbox.SandboxBuilder` (the guard
and the executor, like every operator transaction) onto a sandbox that `steward sandbox up`
already built: the token (`BuybackToken`, its whole supply to the operator), a Uniswap V2 pair
against the chain's USDC seeded through the real V2 router, then the fee router
(`FeeRouter`, or the scam specimen `DivertingFeeRouter`, whose owner is the operator), which records its
first price observation in its constructor. The token goes into the chain registry under its
symbol and the router under the contract role ``fee-router:<SYMBOL>``.

`load_project` reads a recorded project back; `pay_fee`, `buyback` and `set_destination` act on
a deployed project as the operator, each returning the executor's `StepResult` (its `gas_used`
is the receipt's).
"""

from __future__ import annotations

from dataclasses import dataclass

from steward import chains as chain_registry
from steward.chains.config import ChainConfig, load_config, update_chain
from steward.errors import StewardError
from steward.execution import StepResult
from steward.protocols import erc20
from steward.protocols.amm import deadline

TOKEN = 10**18
USD6 = 10**6
HONEST, DIVERTING = "FeeRouter", "DivertingFeeRouter"
ROLE_PREFIX = "fee-router:"

# The defaults: 1,000,000 tokens, half in a pool against 50,000 USDC ($0.10 a token).
SUPPLY = 1_000_000 * TOKEN
POOL_TOKENS = 500_000 * TOKEN
POOL_USDC = 50_000 * USD6
TWAP_WINDOW = 30 * 60  # seconds, like pricing's own TWAP window
MAX_DEVIATION_BPS = 500  # spot after the swap within 5 % of the TWAP
MAX_SLIPPAGE_BPS = 100  # at least 99 % of what the USDC buys at the TWAP (the pool keeps 0.3 %)


@dataclass(frozen=True)
class Project:
    chain: str
    symbol: str
    token: str
    router: str  # the fee router
    pair: str  # the token's Uniswap V2 pair against USDC
    contract: str  # the fee router's contract name (HONEST or DIVERTING)
    owner: str | None  # the diverting router's owner; None: the honest one has none

    @property
    def diverting(self) -> bool:
        return self.contract == DIVERTING


def _builder(builder=None):
    if builder is not None:
        return builder
    from steward.sandbox import SandboxBuilder  # the sandbox imports most of Steward

    return SandboxBuilder()


def _chain(chain: ChainConfig | str) -> ChainConfig:
    return load_config().chain(chain if isinstance(chain, str) else chain.name)


def deploy_project(chain: ChainConfig | str, symbol: str = "AIC", name: str = "AI Company", *,
                   diverting: bool = False, supply: int = SUPPLY, pool_tokens: int = POOL_TOKENS,
                   pool_usdc: int = POOL_USDC, twap_window: int = TWAP_WINDOW,
                   max_deviation_bps: int = MAX_DEVIATION_BPS,
                   max_slippage_bps: int = MAX_SLIPPAGE_BPS, builder=None) -> Project:
    """Deploy the token, seed its USDC pool and deploy its fee router, as the operator."""
    builder = _builder(builder)
    chain = _chain(chain)
    if not symbol.isalnum() or len(symbol) > 11:
        raise StewardError(f"a project symbol is letters and digits, at most 11: {symbol!r}")
    if symbol.upper() in {known.upper() for known in chain.tokens}:
        raise StewardError(f"{chain.name} already has a token {symbol}")
    if not 0 < pool_tokens <= supply or pool_usdc <= 0:
        raise StewardError("the pool needs some of the supply and some USDC")
    w3 = chain_registry.connect(chain)
    operator = builder.operator.address
    usdc = chain.token_address("USDC")
    v2_router = chain.contract("uniswap-v2:router")
    token = builder.deploy(chain, "BuybackToken", name, symbol, supply, label=f"{symbol} token")
    short = pool_usdc - erc20.balance_of(w3, usdc, operator)
    if short > 0:
        builder.call(chain, usdc, "ERC20", "mint", operator, short,
                     description=f"mint USDC for the {symbol} pool")
    builder.call(chain, token, "BuybackToken", "approve", v2_router, pool_tokens,
                 description=f"approve {symbol} for its pool")
    builder.call(chain, usdc, "ERC20", "approve", v2_router, pool_usdc,
                 description=f"approve USDC for the {symbol} pool")
    builder.call(chain, v2_router, "uniswap/UniswapV2Router02", "addLiquidity", token, usdc,
                 pool_tokens, pool_usdc, pool_tokens, pool_usdc, operator, deadline(w3),
                 description=f"add liquidity {symbol}/USDC")
    factory = w3.eth.contract(address=chain.contract("uniswap-v2:factory"),
                              abi=_abi("uniswap/UniswapV2Factory"))
    pair = factory.functions.getPair(token, usdc).call()
    contract = DIVERTING if diverting else HONEST
    router = builder.deploy(chain, contract, token, usdc, pair, v2_router, twap_window,
                            max_deviation_bps, max_slippage_bps, label=f"{symbol} fee router")
    current = load_config().chain(chain.name)
    update_chain(chain.name, tokens={**current.tokens, symbol: token},
                 contracts={**current.contracts, ROLE_PREFIX + symbol: router})
    chain_registry.end_all_sessions()
    return Project(chain=chain.name, symbol=symbol, token=token, router=router, pair=pair,
                   contract=contract, owner=operator if diverting else None)


def load_project(chain: ChainConfig | str, symbol: str) -> Project:
    """A project `deploy_project` recorded: its token by symbol, its router by role, the rest
    read from the router (a router with an owner is the diverting one)."""
    chain = _chain(chain)
    token = chain.token_address(symbol)
    symbol = next(known for known in chain.tokens if known.upper() == symbol.upper())
    router = chain.contract(ROLE_PREFIX + symbol)
    w3 = chain_registry.connect(chain)
    honest = w3.eth.contract(address=router, abi=_abi(HONEST))
    pair = honest.functions.pair().call()
    try:
        owner = w3.eth.contract(address=router, abi=_abi(DIVERTING)).functions.owner().call()
    except Exception:
        owner = None
    return Project(chain=chain.name, symbol=symbol, token=token, router=router, pair=pair,
                   contract=DIVERTING if owner else HONEST, owner=owner)


def _abi(name: str):
    from steward.contracts import abi

    return abi(name)


def pay_fee(project: Project, amount: int, builder=None) -> StepResult:
    """The operator pays `amount` USDC base units of revenue into the fee router (minting the
    USDC it lacks on a chain where it may)."""
    builder = _builder(builder)
    chain = _chain(project.chain)
    w3 = chain_registry.connect(chain)
    usdc = chain.token_address("USDC")
    operator = builder.operator.address
    short = amount - erc20.balance_of(w3, usdc, operator)
    if short > 0:
        builder.call(chain, usdc, "ERC20", "mint", operator, short,
                     description=f"mint USDC for {project.symbol}'s revenue")
    builder.call(chain, usdc, "ERC20", "approve", project.router, amount,
                 description=f"approve USDC for {project.symbol}'s fee router")
    return builder.call(chain, project.router, project.contract, "pay_fee", amount,
                        description=f"pay {project.symbol} revenue")


def buyback(project: Project, usdc_amount: int, min_out: int = 0, builder=None) -> StepResult:
    """The operator, as a keeper, asks the fee router to buy back with `usdc_amount`; a refusal
    (the TWAP guard, the slippage cap) is a StewardError and nothing is signed."""
    builder = _builder(builder)
    return builder.call(_chain(project.chain), project.router, project.contract, "buyback",
                        usdc_amount, min_out, description=f"buy back and burn {project.symbol}")


def set_destination(project: Project, destination: str, builder=None) -> StepResult:
    """The diverting router's owner sends the tokens bought to `destination` from now on."""
    if not project.diverting:
        raise StewardError(f"{project.symbol}'s fee router has no owner and no destination")
    builder = _builder(builder)
    return builder.call(_chain(project.chain), project.router, project.contract,
                        "set_destination", destination,
                        description=f"send {project.symbol} buybacks to {destination}")


__all__ = ["DIVERTING", "HONEST", "Project", "buyback", "deploy_project", "load_project",
           "pay_fee", "set_destination"]
