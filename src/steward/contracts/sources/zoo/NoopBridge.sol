// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title The benign bridge the zoo installs in BridgeHook (scam zoo helper)
/// @notice Does nothing, so trading works until BridgeHook's owner replaces it.
contract NoopBridge {
    function beforeTransfer(address, address, uint256) external pure {}
}
