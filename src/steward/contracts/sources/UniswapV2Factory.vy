# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Uniswap-V2-compatible factory
@notice Creates one pair per token couple from an EIP-5202 blueprint of
        UniswapV2Pair (CREATE2, salt = keccak256(token0 ++ token1)).
"""

event PairCreated:
    token0: indexed(address)
    token1: indexed(address)
    pair: address
    index: uint256

MAX_PAIRS: constant(uint256) = 2**32

pair_blueprint: public(immutable(address))
getPair: public(HashMap[address, HashMap[address, address]])
allPairs: public(DynArray[address, MAX_PAIRS])


@deploy
def __init__(pair_blueprint_: address):
    assert pair_blueprint_.codesize > 0, "blueprint has no code"
    pair_blueprint = pair_blueprint_


@view
@external
def allPairsLength() -> uint256:
    return len(self.allPairs)


@external
def createPair(tokenA: address, tokenB: address) -> address:
    assert tokenA != tokenB, "identical addresses"
    token0: address = tokenA
    token1: address = tokenB
    if convert(tokenB, uint160) < convert(tokenA, uint160):
        token0 = tokenB
        token1 = tokenA
    assert token0 != empty(address), "zero address"
    assert self.getPair[token0][token1] == empty(address), "pair exists"

    salt: bytes32 = keccak256(concat(convert(token0, bytes20), convert(token1, bytes20)))
    pair: address = create_from_blueprint(pair_blueprint, token0, token1, salt=salt)

    self.getPair[token0][token1] = pair
    self.getPair[token1][token0] = pair
    self.allPairs.append(pair)
    log PairCreated(token0=token0, token1=token1, pair=pair, index=len(self.allPairs))
    return pair
