# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Fee router: an AI company's revenue buys back its token and burns it
@notice Revenue arrives in USDC through `pay_fee` (FeeReceived). Anyone (a keeper) may call
        `buyback`, which swaps USDC for the token on the token's Uniswap V2 pair through the V2
        router and burns everything it bought (the token's Burned and Transfer to 0x0, then
        Buyback here). Two guards protect the swap from a manipulated pool:
          - a TWAP: the router keeps its own observation of the pair's cumulative price
            (UniswapV2OracleLibrary's counterfactual cumulative); a buyback needs an
            observation at least `twap_window` seconds old and refuses when the pair's spot
            price after the swap it is about to make would be more than `max_deviation_bps`
            away from the time-weighted price since that observation;
          - a slippage cap: the swap must return at least (1 - `max_slippage_bps`) of what the
            USDC buys at the TWAP (and at least the keeper's own `min_out`).
        Each buyback records a fresh observation, so the next one needs a new window. A
        usable observation (younger than twice the window) cannot be replaced by `observe`.
        Every parameter is immutable and there is no owner: nobody can redirect the revenue
        or the tokens bought.
        Prices are USDC base units per token base unit as UQ112x112 internally; the Buyback
        event's `twap_price` is USDC base units per whole token (10**18 base units).
"""

interface IERC20:
    def transfer(receiver: address, amount: uint256) -> bool: nonpayable
    def transferFrom(sender: address, receiver: address, amount: uint256) -> bool: nonpayable
    def approve(spender: address, amount: uint256) -> bool: nonpayable
    def balanceOf(account: address) -> uint256: view

interface IBurnable:
    def burn(amount: uint256): nonpayable

interface IPair:
    def token0() -> address: view
    def token1() -> address: view
    def getReserves() -> (uint112, uint112, uint32): view
    def price0CumulativeLast() -> uint256: view
    def price1CumulativeLast() -> uint256: view

interface IRouter:
    def swapExactTokensForTokens(amountIn: uint256, amountOutMin: uint256, path: DynArray[address, 2], to: address, deadline: uint256) -> DynArray[uint256, 2]: nonpayable

event FeeReceived:
    payer: indexed(address)
    amount: uint256

event Observed:
    price_cumulative: uint256
    timestamp: uint256

event Buyback:
    usdc_in: uint256
    tokens_out: uint256
    twap_price: uint256

BPS: constant(uint256) = 10_000
Q112: constant(uint256) = 2**112
WHOLE_TOKEN: constant(uint256) = 10**18

token: public(immutable(address))
usdc: public(immutable(address))
pair: public(immutable(address))
router: public(immutable(address))
twap_window: public(immutable(uint256))
max_deviation_bps: public(immutable(uint256))
max_slippage_bps: public(immutable(uint256))
TOKEN_IS_0: immutable(bool)

observed_cumulative: public(uint256)
observed_at: public(uint256)

fees_received: public(uint256)
usdc_spent: public(uint256)
tokens_burned: public(uint256)


@deploy
def __init__(token_: address, usdc_: address, pair_: address, router_: address,
             twap_window_: uint256, max_deviation_bps_: uint256, max_slippage_bps_: uint256):
    assert twap_window_ > 0, "no TWAP window"
    assert max_deviation_bps_ > 0 and max_deviation_bps_ < BPS, "deviation cap out of range"
    assert max_slippage_bps_ > 0 and max_slippage_bps_ < BPS, "slippage cap out of range"
    t0: address = staticcall IPair(pair_).token0()
    t1: address = staticcall IPair(pair_).token1()
    assert (t0 == token_ and t1 == usdc_) or (t0 == usdc_ and t1 == token_), "not the token's USDC pair"
    token = token_
    usdc = usdc_
    pair = pair_
    router = router_
    twap_window = twap_window_
    max_deviation_bps = max_deviation_bps_
    max_slippage_bps = max_slippage_bps_
    TOKEN_IS_0 = t0 == token_
    self._record()


@view
@internal
def _reserves() -> (uint256, uint256, uint32):
    """(USDC reserve, token reserve, the pair's last update time)."""
    r0: uint112 = 0
    r1: uint112 = 0
    last: uint32 = 0
    r0, r1, last = staticcall IPair(pair).getReserves()
    if TOKEN_IS_0:
        return convert(r1, uint256), convert(r0, uint256), last
    return convert(r0, uint256), convert(r1, uint256), last


@view
@internal
def _cumulative() -> uint256:
    """The pair's cumulative price of the token in USDC (UQ112x112 seconds) as of now,
    including the time since its last update (UniswapV2OracleLibrary.currentCumulativePrices);
    it wraps around 2**256 like the pair's own."""
    cumulative: uint256 = 0
    if TOKEN_IS_0:
        cumulative = staticcall IPair(pair).price0CumulativeLast()
    else:
        cumulative = staticcall IPair(pair).price1CumulativeLast()
    r_usdc: uint256 = 0
    r_token: uint256 = 0
    last: uint32 = 0
    r_usdc, r_token, last = self._reserves()
    now: uint256 = block.timestamp % 2**32
    if convert(last, uint256) != now:
        assert r_token > 0 and r_usdc > 0, "empty pool"
        elapsed: uint256 = unsafe_sub(now, convert(last, uint256)) % 2**32
        cumulative = unsafe_add(cumulative, unsafe_mul(r_usdc * Q112 // r_token, elapsed))
    return cumulative


@internal
def _record():
    cumulative: uint256 = self._cumulative()
    self.observed_cumulative = cumulative
    self.observed_at = block.timestamp
    log Observed(price_cumulative=cumulative, timestamp=block.timestamp)


@pure
@internal
def _amount_out(amount_in: uint256, reserve_in: uint256, reserve_out: uint256) -> uint256:
    """UniswapV2Library.getAmountOut (0.3 % fee)."""
    with_fee: uint256 = amount_in * 997
    return with_fee * reserve_out // (reserve_in * 1000 + with_fee)


@external
def observe():
    """@notice Record the pair's cumulative price now. Only when there is no usable observation
               (none younger than twice the window), so nobody can keep a buyback waiting."""
    assert block.timestamp >= self.observed_at + 2 * twap_window, "observation still usable"
    self._record()


@view
@external
def twap() -> uint256:
    """@notice The token's time-weighted price since the observation, in USDC base units per
               whole token (0 in the observation's own block)."""
    elapsed: uint256 = block.timestamp - self.observed_at
    if elapsed == 0:
        return 0
    return unsafe_sub(self._cumulative(), self.observed_cumulative) // elapsed * WHOLE_TOKEN // Q112


@external
@nonreentrant
def pay_fee(amount: uint256):
    """@notice Pay `amount` USDC of revenue into the router (approve it first)."""
    assert amount > 0, "nothing paid"
    assert extcall IERC20(usdc).transferFrom(msg.sender, self, amount, default_return_value=True), "USDC transfer failed"
    self.fees_received += amount
    log FeeReceived(payer=msg.sender, amount=amount)


@external
@nonreentrant
def buyback(usdc_amount: uint256, min_out: uint256) -> uint256:
    """@notice Swap `usdc_amount` of the router's USDC for the token and burn all of it;
               anyone may call. Returns the tokens bought (and burned)."""
    assert usdc_amount > 0, "nothing to spend"
    assert staticcall IERC20(usdc).balanceOf(self) >= usdc_amount, "not enough USDC in the router"
    elapsed: uint256 = block.timestamp - self.observed_at
    assert elapsed >= twap_window, "observation younger than the TWAP window"
    twap: uint256 = unsafe_sub(self._cumulative(), self.observed_cumulative) // elapsed
    assert twap > 0, "no TWAP"

    r_usdc: uint256 = 0
    r_token: uint256 = 0
    last: uint32 = 0
    r_usdc, r_token, last = self._reserves()
    expected: uint256 = self._amount_out(usdc_amount, r_usdc, r_token)
    assert expected > 0 and expected < r_token, "the pool cannot fill it"
    spot_after: uint256 = (r_usdc + usdc_amount) * Q112 // (r_token - expected)
    deviation: uint256 = 0
    if spot_after > twap:
        deviation = spot_after - twap
    else:
        deviation = twap - spot_after
    assert deviation * BPS <= twap * max_deviation_bps, "price deviates from the TWAP"

    at_twap: uint256 = usdc_amount * Q112 // twap
    least: uint256 = at_twap * (BPS - max_slippage_bps) // BPS
    assert expected >= least, "slippage above the cap"
    assert expected >= min_out, "below the keeper's minimum"
    least = max(least, min_out)

    assert extcall IERC20(usdc).approve(router, usdc_amount, default_return_value=True), "USDC approve failed"
    before: uint256 = staticcall IERC20(token).balanceOf(self)
    extcall IRouter(router).swapExactTokensForTokens(usdc_amount, least, [usdc, token], self, block.timestamp)
    bought: uint256 = staticcall IERC20(token).balanceOf(self) - before
    assert bought >= least, "slippage above the cap"
    extcall IBurnable(token).burn(bought)

    self.usdc_spent += usdc_amount
    self.tokens_burned += bought
    self._record()
    log Buyback(usdc_in=usdc_amount, tokens_out=bought, twap_price=twap * WHOLE_TOKEN // Q112)
    return bought
