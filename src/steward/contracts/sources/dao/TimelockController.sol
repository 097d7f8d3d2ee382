// SPDX-License-Identifier: MIT
// OpenZeppelin's own TimelockController, compiled from the npm package as `dao/TimelockController`.
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
