// SPDX-License-Identifier: MIT
// A malicious "upgrade" of the grants vault (a specimen for the DAO delegate's checks): a valid
// UUPS implementation that claims to be version 2, whose `migrate` sends the vault's whole
// balance of a token to any address, callable by anyone (and by `upgradeToAndCall` itself), and
// whose upgrades need no owner.
pragma solidity ^0.8.24;

import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

contract VaultDrainer is UUPSUpgradeable {
    function migrate(address token, address to) external {
        IERC20(token).transfer(to, IERC20(token).balanceOf(address(this)));
    }

    function version() external pure returns (uint256) {
        return 2;
    }

    function _authorizeUpgrade(address) internal override {}
}
