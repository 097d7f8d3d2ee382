# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Uniswap-V2-compatible pair
@notice Constant-product pool for token0/token1 with a 0.3% fee; the pool is
        itself an 18-decimal LP token. Deployed by the factory from a
        blueprint. Same selectors and events as Uniswap V2; flash swaps (a
        non-empty `data` in swap) are not supported. No protocol fee.
"""

interface IERC20:
    def balanceOf(account: address) -> uint256: view
    def transfer(receiver: address, amount: uint256) -> bool: nonpayable

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256

event Mint:
    sender: indexed(address)
    amount0: uint256
    amount1: uint256

event Burn:
    sender: indexed(address)
    amount0: uint256
    amount1: uint256
    to: indexed(address)

event Swap:
    sender: indexed(address)
    amount0In: uint256
    amount1In: uint256
    amount0Out: uint256
    amount1Out: uint256
    to: indexed(address)

event Sync:
    reserve0: uint112
    reserve1: uint112

MINIMUM_LIQUIDITY: public(constant(uint256)) = 1000
name: public(constant(String[10])) = "Uniswap V2"
symbol: public(constant(String[6])) = "UNI-V2"
decimals: public(constant(uint8)) = 18

totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])

factory: public(immutable(address))
token0: public(immutable(address))
token1: public(immutable(address))

reserve0: uint112
reserve1: uint112
blockTimestampLast: uint32

price0CumulativeLast: public(uint256)
price1CumulativeLast: public(uint256)
kLast: public(uint256)


@deploy
def __init__(token0_: address, token1_: address):
    factory = msg.sender
    token0 = token0_
    token1 = token1_


# ---------------------------------------------------------------- LP token

@internal
def _mint(receiver: address, amount: uint256):
    self.totalSupply += amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=empty(address), receiver=receiver, value=amount)


@internal
def _burn(holder: address, amount: uint256):
    balance: uint256 = self.balanceOf[holder]
    assert balance >= amount, "insufficient balance"
    self.balanceOf[holder] = balance - amount
    self.totalSupply -= amount
    log Transfer(sender=holder, receiver=empty(address), value=amount)


@internal
def _transfer(sender: address, receiver: address, amount: uint256):
    balance: uint256 = self.balanceOf[sender]
    assert balance >= amount, "insufficient balance"
    self.balanceOf[sender] = balance - amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=sender, receiver=receiver, value=amount)


@external
def transfer(receiver: address, amount: uint256) -> bool:
    self._transfer(msg.sender, receiver, amount)
    return True


@external
def transferFrom(sender: address, receiver: address, amount: uint256) -> bool:
    allowed: uint256 = self.allowance[sender][msg.sender]
    if allowed != max_value(uint256):
        assert allowed >= amount, "insufficient allowance"
        self.allowance[sender][msg.sender] = allowed - amount
    self._transfer(sender, receiver, amount)
    return True


@external
def approve(spender: address, amount: uint256) -> bool:
    self.allowance[msg.sender][spender] = amount
    log Approval(owner=msg.sender, spender=spender, value=amount)
    return True


# ---------------------------------------------------------------- pool

@view
@external
def getReserves() -> (uint112, uint112, uint32):
    return self.reserve0, self.reserve1, self.blockTimestampLast


@internal
def _safe_transfer(token: address, receiver: address, amount: uint256):
    assert extcall IERC20(token).transfer(receiver, amount, default_return_value=True), "transfer failed"


@internal
def _update(balance0: uint256, balance1: uint256, r0: uint112, r1: uint112):
    assert balance0 <= convert(max_value(uint112), uint256), "overflow"
    assert balance1 <= convert(max_value(uint112), uint256), "overflow"
    now: uint32 = convert(block.timestamp % 2**32, uint32)
    elapsed: uint32 = unsafe_sub(now, self.blockTimestampLast)
    if elapsed > 0 and r0 != 0 and r1 != 0:
        # UQ112x112 prices, accumulated with wrap-around exactly like V2
        res0: uint256 = convert(r0, uint256)
        res1: uint256 = convert(r1, uint256)
        dt: uint256 = convert(elapsed, uint256)
        self.price0CumulativeLast = unsafe_add(
            self.price0CumulativeLast, unsafe_mul((res1 << 112) // res0, dt)
        )
        self.price1CumulativeLast = unsafe_add(
            self.price1CumulativeLast, unsafe_mul((res0 << 112) // res1, dt)
        )
    self.reserve0 = convert(balance0, uint112)
    self.reserve1 = convert(balance1, uint112)
    self.blockTimestampLast = now
    log Sync(reserve0=self.reserve0, reserve1=self.reserve1)


@external
@nonreentrant
def mint(to: address) -> uint256:
    r0: uint112 = self.reserve0
    r1: uint112 = self.reserve1
    balance0: uint256 = staticcall IERC20(token0).balanceOf(self)
    balance1: uint256 = staticcall IERC20(token1).balanceOf(self)
    amount0: uint256 = balance0 - convert(r0, uint256)
    amount1: uint256 = balance1 - convert(r1, uint256)

    supply: uint256 = self.totalSupply
    liquidity: uint256 = 0
    if supply == 0:
        liquidity = isqrt(amount0 * amount1)
        assert liquidity > MINIMUM_LIQUIDITY, "insufficient liquidity minted"
        liquidity -= MINIMUM_LIQUIDITY
        # permanently locked: nobody can spend the zero address's balance
        self._mint(empty(address), MINIMUM_LIQUIDITY)
    else:
        liquidity = min(
            amount0 * supply // convert(r0, uint256),
            amount1 * supply // convert(r1, uint256),
        )
    assert liquidity > 0, "insufficient liquidity minted"
    self._mint(to, liquidity)

    self._update(balance0, balance1, r0, r1)
    log Mint(sender=msg.sender, amount0=amount0, amount1=amount1)
    return liquidity


@external
@nonreentrant
def burn(to: address) -> (uint256, uint256):
    r0: uint112 = self.reserve0
    r1: uint112 = self.reserve1
    balance0: uint256 = staticcall IERC20(token0).balanceOf(self)
    balance1: uint256 = staticcall IERC20(token1).balanceOf(self)
    liquidity: uint256 = self.balanceOf[self]

    supply: uint256 = self.totalSupply
    amount0: uint256 = liquidity * balance0 // supply
    amount1: uint256 = liquidity * balance1 // supply
    assert amount0 > 0 and amount1 > 0, "insufficient liquidity burned"
    self._burn(self, liquidity)
    self._safe_transfer(token0, to, amount0)
    self._safe_transfer(token1, to, amount1)
    balance0 = staticcall IERC20(token0).balanceOf(self)
    balance1 = staticcall IERC20(token1).balanceOf(self)

    self._update(balance0, balance1, r0, r1)
    log Burn(sender=msg.sender, amount0=amount0, amount1=amount1, to=to)
    return amount0, amount1


@external
@nonreentrant
def swap(amount0Out: uint256, amount1Out: uint256, to: address, data: Bytes[1024]):
    assert amount0Out > 0 or amount1Out > 0, "insufficient output amount"
    r0: uint112 = self.reserve0
    r1: uint112 = self.reserve1
    res0: uint256 = convert(r0, uint256)
    res1: uint256 = convert(r1, uint256)
    assert amount0Out < res0 and amount1Out < res1, "insufficient liquidity"
    assert to != token0 and to != token1, "invalid to"
    assert len(data) == 0, "flash swaps not supported"

    if amount0Out > 0:
        self._safe_transfer(token0, to, amount0Out)
    if amount1Out > 0:
        self._safe_transfer(token1, to, amount1Out)
    balance0: uint256 = staticcall IERC20(token0).balanceOf(self)
    balance1: uint256 = staticcall IERC20(token1).balanceOf(self)

    amount0In: uint256 = 0
    amount1In: uint256 = 0
    if balance0 > res0 - amount0Out:
        amount0In = balance0 - (res0 - amount0Out)
    if balance1 > res1 - amount1Out:
        amount1In = balance1 - (res1 - amount1Out)
    assert amount0In > 0 or amount1In > 0, "insufficient input amount"

    balance0Adjusted: uint256 = balance0 * 1000 - amount0In * 3
    balance1Adjusted: uint256 = balance1 * 1000 - amount1In * 3
    assert balance0Adjusted * balance1Adjusted >= res0 * res1 * 1000**2, "K"

    self._update(balance0, balance1, r0, r1)
    log Swap(
        sender=msg.sender,
        amount0In=amount0In,
        amount1In=amount1In,
        amount0Out=amount0Out,
        amount1Out=amount1Out,
        to=to,
    )


@external
@nonreentrant
def skim(to: address):
    self._safe_transfer(
        token0, to, staticcall IERC20(token0).balanceOf(self) - convert(self.reserve0, uint256)
    )
    self._safe_transfer(
        token1, to, staticcall IERC20(token1).balanceOf(self) - convert(self.reserve1, uint256)
    )


@external
@nonreentrant
def sync():
    self._update(
        staticcall IERC20(token0).balanceOf(self),
        staticcall IERC20(token1).balanceOf(self),
        self.reserve0,
        self.reserve1,
    )
