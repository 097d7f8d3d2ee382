// SPDX-License-Identifier: MIT
// A benign upgrade of the grants vault: the same code and storage, `version()` 2.
pragma solidity ^0.8.24;

import {GrantsVault} from "./GrantsVault.sol";

contract GrantsVaultV2 is GrantsVault {
    function version() public pure override returns (uint256) {
        return 2;
    }
}
