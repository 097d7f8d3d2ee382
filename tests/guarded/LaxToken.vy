# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Lax token (guarded account tests only)
@notice An ERC-20 that, like tokens compiled before Solidity 0.5, does not check the length
        of its calldata: `approve` with short calldata reads the missing bytes as zeros (the
        EVM's CALLDATALOAD past the end). Its `approve` lives in `__default__` because Vyper
        checks the length of an ABI function's arguments; here the EVM's padding is spelled out.
"""

allowance: public(HashMap[address, HashMap[address, uint256]])
balanceOf: public(HashMap[address, uint256])


@external
def mint(receiver: address, amount: uint256):
    self.balanceOf[receiver] += amount


@external
def transfer(receiver: address, amount: uint256) -> bool:
    self.balanceOf[msg.sender] -= amount
    self.balanceOf[receiver] += amount
    return True


@external
def transferFrom(sender: address, receiver: address, amount: uint256) -> bool:
    self.allowance[sender][msg.sender] -= amount
    self.balanceOf[sender] -= amount
    self.balanceOf[receiver] += amount
    return True


@external
def __default__():
    # approve(address,uint256) = 0x095ea7b3, decoded from calldata padded with zeros to 68 bytes
    assert len(msg.data) >= 36 and len(msg.data) <= 68, "not approve"
    head: Bytes[36] = slice(msg.data, 0, 36)
    assert convert(slice(head, 0, 4), bytes4) == 0x095ea7b3, "not approve"
    spender: address = convert(convert(slice(head, 4, 32), uint256), address)
    amount: uint256 = 0
    for i: uint256 in range(32):
        if 36 + i < len(msg.data):  # a missing byte reads as zero
            byte: uint256 = convert(slice(msg.data, 36 + i, 1), uint256)
            amount |= byte << (8 * (31 - i))
    self.allowance[msg.sender][spender] = amount
