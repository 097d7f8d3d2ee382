# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Uniswap-V2-compatible router
@notice Same selectors as UniswapV2Router02 for the functions it implements.
        Paths hold at most 4 tokens (3 hops). Pairs are looked up with
        factory.getPair; addLiquidity creates a missing pair.
"""

interface IERC20:
    def transfer(receiver: address, amount: uint256) -> bool: nonpayable
    def transferFrom(sender: address, receiver: address, amount: uint256) -> bool: nonpayable

interface IWETH:
    def deposit(): payable
    def withdraw(wad: uint256): nonpayable
    def transfer(receiver: address, amount: uint256) -> bool: nonpayable

interface IFactory:
    def getPair(tokenA: address, tokenB: address) -> address: view
    def createPair(tokenA: address, tokenB: address) -> address: nonpayable

interface IPair:
    def getReserves() -> (uint112, uint112, uint32): view
    def mint(to: address) -> uint256: nonpayable
    def burn(to: address) -> (uint256, uint256): nonpayable
    def swap(amount0Out: uint256, amount1Out: uint256, to: address, data: Bytes[1024]): nonpayable
    def transferFrom(sender: address, receiver: address, amount: uint256) -> bool: nonpayable

MAX_PATH: constant(uint256) = 4

factory: public(immutable(address))
WETH: public(immutable(address))


@deploy
def __init__(factory_: address, weth_: address):
    factory = factory_
    WETH = weth_


@external
@payable
def __default__():
    # only unwrapped WETH may arrive here
    assert msg.sender == WETH, "only WETH"


# ---------------------------------------------------------------- helpers

@internal
def _ensure(deadline: uint256):
    assert deadline >= block.timestamp, "expired"


@pure
@internal
def _sort(tokenA: address, tokenB: address) -> (address, address):
    assert tokenA != tokenB, "identical addresses"
    if convert(tokenA, uint160) < convert(tokenB, uint160):
        return tokenA, tokenB
    return tokenB, tokenA


@view
@internal
def _pair_for(tokenA: address, tokenB: address) -> address:
    pair: address = staticcall IFactory(factory).getPair(tokenA, tokenB)
    assert pair != empty(address), "pair not found"
    return pair


@view
@internal
def _get_reserves(tokenA: address, tokenB: address) -> (uint256, uint256):
    token0: address = self._sort(tokenA, tokenB)[0]
    r0: uint112 = 0
    r1: uint112 = 0
    ts: uint32 = 0
    r0, r1, ts = staticcall IPair(self._pair_for(tokenA, tokenB)).getReserves()
    if tokenA == token0:
        return convert(r0, uint256), convert(r1, uint256)
    return convert(r1, uint256), convert(r0, uint256)


@pure
@internal
def _quote(amountA: uint256, reserveA: uint256, reserveB: uint256) -> uint256:
    assert amountA > 0, "insufficient amount"
    assert reserveA > 0 and reserveB > 0, "insufficient liquidity"
    return amountA * reserveB // reserveA


@pure
@internal
def _get_amount_out(amountIn: uint256, reserveIn: uint256, reserveOut: uint256) -> uint256:
    assert amountIn > 0, "insufficient input amount"
    assert reserveIn > 0 and reserveOut > 0, "insufficient liquidity"
    amountInWithFee: uint256 = amountIn * 997
    return amountInWithFee * reserveOut // (reserveIn * 1000 + amountInWithFee)


@pure
@internal
def _get_amount_in(amountOut: uint256, reserveIn: uint256, reserveOut: uint256) -> uint256:
    assert amountOut > 0, "insufficient output amount"
    assert reserveIn > 0 and reserveOut > amountOut, "insufficient liquidity"
    return reserveIn * amountOut * 1000 // ((reserveOut - amountOut) * 997) + 1


@view
@internal
def _get_amounts_out(amountIn: uint256, path: DynArray[address, MAX_PATH]) -> DynArray[uint256, MAX_PATH]:
    assert len(path) >= 2, "invalid path"
    amounts: DynArray[uint256, MAX_PATH] = [amountIn]
    for i: uint256 in range(MAX_PATH - 1):
        if i + 1 >= len(path):
            break
        reserveIn: uint256 = 0
        reserveOut: uint256 = 0
        reserveIn, reserveOut = self._get_reserves(path[i], path[i + 1])
        amounts.append(self._get_amount_out(amounts[i], reserveIn, reserveOut))
    return amounts


@view
@internal
def _get_amounts_in(amountOut: uint256, path: DynArray[address, MAX_PATH]) -> DynArray[uint256, MAX_PATH]:
    n: uint256 = len(path)
    assert n >= 2, "invalid path"
    amounts: DynArray[uint256, MAX_PATH] = []
    for i: uint256 in range(MAX_PATH):
        if i >= n:
            break
        amounts.append(0)
    amounts[n - 1] = amountOut
    for j: uint256 in range(MAX_PATH - 1):
        if j + 1 >= n:
            break
        i: uint256 = n - 1 - j
        reserveIn: uint256 = 0
        reserveOut: uint256 = 0
        reserveIn, reserveOut = self._get_reserves(path[i - 1], path[i])
        amounts[i - 1] = self._get_amount_in(amounts[i], reserveIn, reserveOut)
    return amounts


@internal
def _safe_transfer_from(token: address, sender: address, receiver: address, amount: uint256):
    assert extcall IERC20(token).transferFrom(sender, receiver, amount, default_return_value=True), "transferFrom failed"


@internal
def _safe_transfer(token: address, receiver: address, amount: uint256):
    assert extcall IERC20(token).transfer(receiver, amount, default_return_value=True), "transfer failed"


@internal
def _send_eth(receiver: address, amount: uint256):
    if amount > 0:
        raw_call(receiver, b"", value=amount)


@internal
def _swap(amounts: DynArray[uint256, MAX_PATH], path: DynArray[address, MAX_PATH], to: address):
    n: uint256 = len(path)
    for i: uint256 in range(MAX_PATH - 1):
        if i + 1 >= n:
            break
        tokenIn: address = path[i]
        tokenOut: address = path[i + 1]
        token0: address = self._sort(tokenIn, tokenOut)[0]
        amountOut: uint256 = amounts[i + 1]
        amount0Out: uint256 = 0
        amount1Out: uint256 = amountOut
        if tokenIn != token0:
            amount0Out = amountOut
            amount1Out = 0
        receiver: address = to
        if i + 2 < n:
            receiver = self._pair_for(tokenOut, path[i + 2])
        extcall IPair(self._pair_for(tokenIn, tokenOut)).swap(amount0Out, amount1Out, receiver, b"")


# ---------------------------------------------------------------- library views

@pure
@external
def quote(amountA: uint256, reserveA: uint256, reserveB: uint256) -> uint256:
    return self._quote(amountA, reserveA, reserveB)


@pure
@external
def getAmountOut(amountIn: uint256, reserveIn: uint256, reserveOut: uint256) -> uint256:
    return self._get_amount_out(amountIn, reserveIn, reserveOut)


@pure
@external
def getAmountIn(amountOut: uint256, reserveIn: uint256, reserveOut: uint256) -> uint256:
    return self._get_amount_in(amountOut, reserveIn, reserveOut)


@view
@external
def getAmountsOut(amountIn: uint256, path: DynArray[address, MAX_PATH]) -> DynArray[uint256, MAX_PATH]:
    return self._get_amounts_out(amountIn, path)


@view
@external
def getAmountsIn(amountOut: uint256, path: DynArray[address, MAX_PATH]) -> DynArray[uint256, MAX_PATH]:
    return self._get_amounts_in(amountOut, path)


# ---------------------------------------------------------------- liquidity

@internal
def _add_liquidity(
    tokenA: address,
    tokenB: address,
    amountADesired: uint256,
    amountBDesired: uint256,
    amountAMin: uint256,
    amountBMin: uint256,
) -> (uint256, uint256, address):
    pair: address = staticcall IFactory(factory).getPair(tokenA, tokenB)
    if pair == empty(address):
        pair = extcall IFactory(factory).createPair(tokenA, tokenB)
    reserveA: uint256 = 0
    reserveB: uint256 = 0
    reserveA, reserveB = self._get_reserves(tokenA, tokenB)
    if reserveA == 0 and reserveB == 0:
        return amountADesired, amountBDesired, pair
    amountBOptimal: uint256 = self._quote(amountADesired, reserveA, reserveB)
    if amountBOptimal <= amountBDesired:
        assert amountBOptimal >= amountBMin, "insufficient B amount"
        return amountADesired, amountBOptimal, pair
    amountAOptimal: uint256 = self._quote(amountBDesired, reserveB, reserveA)
    assert amountAOptimal <= amountADesired, "insufficient A amount"
    assert amountAOptimal >= amountAMin, "insufficient A amount"
    return amountAOptimal, amountBDesired, pair


@external
def addLiquidity(
    tokenA: address,
    tokenB: address,
    amountADesired: uint256,
    amountBDesired: uint256,
    amountAMin: uint256,
    amountBMin: uint256,
    to: address,
    deadline: uint256,
) -> (uint256, uint256, uint256):
    self._ensure(deadline)
    amountA: uint256 = 0
    amountB: uint256 = 0
    pair: address = empty(address)
    amountA, amountB, pair = self._add_liquidity(
        tokenA, tokenB, amountADesired, amountBDesired, amountAMin, amountBMin
    )
    self._safe_transfer_from(tokenA, msg.sender, pair, amountA)
    self._safe_transfer_from(tokenB, msg.sender, pair, amountB)
    liquidity: uint256 = extcall IPair(pair).mint(to)
    return amountA, amountB, liquidity


@external
@payable
def addLiquidityETH(
    token: address,
    amountTokenDesired: uint256,
    amountTokenMin: uint256,
    amountETHMin: uint256,
    to: address,
    deadline: uint256,
) -> (uint256, uint256, uint256):
    self._ensure(deadline)
    amountToken: uint256 = 0
    amountETH: uint256 = 0
    pair: address = empty(address)
    amountToken, amountETH, pair = self._add_liquidity(
        token, WETH, amountTokenDesired, msg.value, amountTokenMin, amountETHMin
    )
    self._safe_transfer_from(token, msg.sender, pair, amountToken)
    extcall IWETH(WETH).deposit(value=amountETH)
    assert extcall IWETH(WETH).transfer(pair, amountETH), "transfer failed"
    liquidity: uint256 = extcall IPair(pair).mint(to)
    self._send_eth(msg.sender, msg.value - amountETH)  # refund dust
    return amountToken, amountETH, liquidity


@internal
def _remove_liquidity(
    tokenA: address,
    tokenB: address,
    liquidity: uint256,
    amountAMin: uint256,
    amountBMin: uint256,
    to: address,
) -> (uint256, uint256):
    pair: address = self._pair_for(tokenA, tokenB)
    assert extcall IPair(pair).transferFrom(msg.sender, pair, liquidity), "transferFrom failed"
    amount0: uint256 = 0
    amount1: uint256 = 0
    amount0, amount1 = extcall IPair(pair).burn(to)
    amountA: uint256 = amount0
    amountB: uint256 = amount1
    if tokenA != self._sort(tokenA, tokenB)[0]:
        amountA = amount1
        amountB = amount0
    assert amountA >= amountAMin, "insufficient A amount"
    assert amountB >= amountBMin, "insufficient B amount"
    return amountA, amountB


@external
def removeLiquidity(
    tokenA: address,
    tokenB: address,
    liquidity: uint256,
    amountAMin: uint256,
    amountBMin: uint256,
    to: address,
    deadline: uint256,
) -> (uint256, uint256):
    self._ensure(deadline)
    return self._remove_liquidity(tokenA, tokenB, liquidity, amountAMin, amountBMin, to)


@external
def removeLiquidityETH(
    token: address,
    liquidity: uint256,
    amountTokenMin: uint256,
    amountETHMin: uint256,
    to: address,
    deadline: uint256,
) -> (uint256, uint256):
    self._ensure(deadline)
    amountToken: uint256 = 0
    amountETH: uint256 = 0
    amountToken, amountETH = self._remove_liquidity(
        token, WETH, liquidity, amountTokenMin, amountETHMin, self
    )
    self._safe_transfer(token, to, amountToken)
    extcall IWETH(WETH).withdraw(amountETH)
    self._send_eth(to, amountETH)
    return amountToken, amountETH


# ---------------------------------------------------------------- swaps

@external
def swapExactTokensForTokens(
    amountIn: uint256,
    amountOutMin: uint256,
    path: DynArray[address, MAX_PATH],
    to: address,
    deadline: uint256,
) -> DynArray[uint256, MAX_PATH]:
    self._ensure(deadline)
    amounts: DynArray[uint256, MAX_PATH] = self._get_amounts_out(amountIn, path)
    assert amounts[len(amounts) - 1] >= amountOutMin, "insufficient output amount"
    self._safe_transfer_from(path[0], msg.sender, self._pair_for(path[0], path[1]), amounts[0])
    self._swap(amounts, path, to)
    return amounts


@external
def swapTokensForExactTokens(
    amountOut: uint256,
    amountInMax: uint256,
    path: DynArray[address, MAX_PATH],
    to: address,
    deadline: uint256,
) -> DynArray[uint256, MAX_PATH]:
    self._ensure(deadline)
    amounts: DynArray[uint256, MAX_PATH] = self._get_amounts_in(amountOut, path)
    assert amounts[0] <= amountInMax, "excessive input amount"
    self._safe_transfer_from(path[0], msg.sender, self._pair_for(path[0], path[1]), amounts[0])
    self._swap(amounts, path, to)
    return amounts


@external
@payable
def swapExactETHForTokens(
    amountOutMin: uint256,
    path: DynArray[address, MAX_PATH],
    to: address,
    deadline: uint256,
) -> DynArray[uint256, MAX_PATH]:
    self._ensure(deadline)
    assert path[0] == WETH, "invalid path"
    amounts: DynArray[uint256, MAX_PATH] = self._get_amounts_out(msg.value, path)
    assert amounts[len(amounts) - 1] >= amountOutMin, "insufficient output amount"
    extcall IWETH(WETH).deposit(value=amounts[0])
    assert extcall IWETH(WETH).transfer(self._pair_for(path[0], path[1]), amounts[0]), "transfer failed"
    self._swap(amounts, path, to)
    return amounts


@external
def swapExactTokensForETH(
    amountIn: uint256,
    amountOutMin: uint256,
    path: DynArray[address, MAX_PATH],
    to: address,
    deadline: uint256,
) -> DynArray[uint256, MAX_PATH]:
    self._ensure(deadline)
    assert path[len(path) - 1] == WETH, "invalid path"
    amounts: DynArray[uint256, MAX_PATH] = self._get_amounts_out(amountIn, path)
    last: uint256 = amounts[len(amounts) - 1]
    assert last >= amountOutMin, "insufficient output amount"
    self._safe_transfer_from(path[0], msg.sender, self._pair_for(path[0], path[1]), amounts[0])
    self._swap(amounts, path, self)
    extcall IWETH(WETH).withdraw(last)
    self._send_eth(to, last)
    return amounts
