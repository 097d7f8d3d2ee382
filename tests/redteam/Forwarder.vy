# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Forwarder (red-team tests only)
@notice forward(to) passes on the coin it is sent; a plain payment is kept. Shows that the
        guard follows value through a contract to whoever ends up holding it.
"""


@external
@payable
def forward(to: address):
    raw_call(to, b"", value=msg.value)


@external
@payable
def __default__():
    pass


@external
@payable
def leave(to: address):
    # SELFDESTRUCT hands the whole balance over without a call frame (no code runs at `to`).
    selfdestruct(to)
