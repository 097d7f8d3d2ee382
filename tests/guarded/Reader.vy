# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Reader (guarded account tests only)
@notice A guarded account's policy, and what it holds and has approved, each in one call:
        the property test reads both after every step.
"""

interface IGuarded:
    def owner() -> address: view
    def agent() -> address: view
    def paused() -> bool: view
    def nonce() -> uint256: view
    def delay() -> uint256: view
    def native_sends() -> bool: view
    def window_usd_limit() -> uint256: view
    def batch_usd_limit() -> uint256: view
    def token_limit(token: address) -> uint256: view
    def usd_rate(token: address) -> uint256: view
    def permission(target: address, selector: bytes4) -> uint8: view
    def scheduled(change: bytes32) -> uint256: view

interface IERC20:
    def balanceOf(holder: address) -> uint256: view
    def allowance(holder: address, spender: address) -> uint256: view


@view
@external
def policy(account: address, tokens: DynArray[address, 8], targets: DynArray[address, 32],
           selectors: DynArray[bytes4, 32], changes: DynArray[bytes32, 64]) -> DynArray[uint256, 192]:
    g: IGuarded = IGuarded(account)
    out: DynArray[uint256, 192] = [
        convert(staticcall g.owner(), uint256), convert(staticcall g.agent(), uint256),
        convert(staticcall g.paused(), uint256), staticcall g.delay(),
        convert(staticcall g.native_sends(), uint256), staticcall g.window_usd_limit(),
        staticcall g.batch_usd_limit()]
    for token: address in tokens:
        out.append(staticcall g.token_limit(token))
        out.append(staticcall g.usd_rate(token))
    for i: uint256 in range(len(targets), bound=32):
        out.append(convert(staticcall g.permission(targets[i], selectors[i]), uint256))
    for change: bytes32 in changes:
        out.append(staticcall g.scheduled(change))
    return out


@view
@external
def holdings(account: address, tokens: DynArray[address, 8],
             spenders: DynArray[address, 8]) -> DynArray[uint256, 80]:
    """The nonce, then each token's balance (the zero address: the coin), then each token's
    allowance to each spender."""
    out: DynArray[uint256, 80] = [staticcall IGuarded(account).nonce()]
    for token: address in tokens:
        if token == empty(address):
            out.append(account.balance)
        else:
            out.append(staticcall IERC20(token).balanceOf(account))
    for token: address in tokens:
        if token != empty(address):
            for spender: address in spenders:
                out.append(staticcall IERC20(token).allowance(account, spender))
    return out
