# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Destroyer (guarded account tests only)
@notice Called by a guarded account, `boom` tries what a hostile contract can: take the
        account's tokens without an allowance, use the owner's door and the policy setters
        from here, run the account's own code by DELEGATECALL (in its own storage), and
        finally SELFDESTRUCT to hand its coin to `beneficiary`. `successes` counts the tries
        that did not fail; a guarded account must keep it at 0.
"""

successes: public(uint256)


@external
@payable
def boom(account: address, token: address, beneficiary: address, attempts: DynArray[Bytes[1024], 4]):
    pull: Bytes[100] = abi_encode(account, beneficiary, convert(1, uint256),
                                  method_id=method_id("transferFrom(address,address,uint256)"))
    if raw_call(token, pull, revert_on_failure=False):
        self.successes += 1
    for data: Bytes[1024] in attempts:
        if raw_call(account, data, revert_on_failure=False):
            self.successes += 1
        if raw_call(account, data, is_delegate_call=True, revert_on_failure=False):
            # runs the account's code against this contract's storage: harmless to the account
            pass
    selfdestruct(beneficiary)


@external
@payable
def __default__():
    pass
