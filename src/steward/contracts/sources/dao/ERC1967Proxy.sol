// SPDX-License-Identifier: MIT
// OpenZeppelin's own ERC1967Proxy, compiled from the npm package as `dao/ERC1967Proxy`.
pragma solidity ^0.8.24;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
