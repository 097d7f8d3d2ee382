// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title The guard GuardedSell consults on every sell (scam zoo helper)
/// @notice Owned by the deployer, who flags any seller with setFlag; check() then answers false
///         and GuardedSell refuses that seller's transfers into the pair.
contract SellGuard {
    address public owner;
    mapping(address => bool) private flagged;

    constructor() {
        owner = msg.sender;
    }

    function setFlag(address account, bool on) external {
        require(msg.sender == owner, "not the owner");
        flagged[account] = on;
    }

    function check(address seller) external view returns (bool) {
        return !flagged[seller];
    }
}
