// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title The hook Hooked calls on every transfer (legitimate, scam zoo helper)
/// @notice Counts the transfers each caller reports and nothing else: no owner, no admin, no
///         setter, holds no tokens, never reverts.
contract TransferCounter {
    mapping(address => uint256) public transfersSeen;

    function onTransfer(address, address, uint256) external {
        transfersSeen[msg.sender] += 1;
    }
}
