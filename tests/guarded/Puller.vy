# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Puller (guarded account tests only)
@notice A spender. `pull` takes from its caller what the caller approved (the honest use
        inside a batch); `drain` lets anyone make it take from a victim whatever allowance
        the victim left it (what a thief does with an approval left over after a batch).
"""

interface IERC20:
    def transferFrom(sender: address, receiver: address, amount: uint256) -> bool: nonpayable


@external
def pull(token: address, amount: uint256):
    extcall IERC20(token).transferFrom(msg.sender, self, amount)


@external
def drain(token: address, victim: address, receiver: address, amount: uint256):
    extcall IERC20(token).transferFrom(victim, receiver, amount)
