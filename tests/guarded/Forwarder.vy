# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Forwarder (guarded account tests only)
@notice A multicall: `relay` makes each call as itself, passing on the coin it was sent. Even
        when the guarded account may call it, the calls it relays come from the forwarder, so
        it can spend only what the account approved to the forwarder within the batch.
"""

struct Relayed:
    target: address
    value: uint256
    data: Bytes[512]


@external
@payable
def relay(calls: DynArray[Relayed, 4]):
    for c: Relayed in calls:
        raw_call(c.target, c.data, value=c.value)


@external
@payable
def __default__():
    pass
