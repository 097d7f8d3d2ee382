// SPDX-License-Identifier: MIT
// The sandbox DAO's grants vault: a UUPS implementation behind OpenZeppelin's ERC1967Proxy, owned
// by the timelock. It pays grants and, like many DAO treasuries, can delegatecall a target (the
// power malicious proposals abuse). The owner lives where OpenZeppelin's OwnableUpgradeable keeps
// it (ERC-7201 "openzeppelin.storage.Ownable"), with the same functions, events and errors: that
// package (@openzeppelin/contracts-upgradeable) is not among Steward's tools, its layout is.
pragma solidity ^0.8.24;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

contract GrantsVault is Initializable, UUPSUpgradeable {
    using SafeERC20 for IERC20;

    /// @custom:storage-location erc7201:openzeppelin.storage.Ownable
    struct OwnableStorage {
        address _owner;
    }

    // keccak256(abi.encode(uint256(keccak256("openzeppelin.storage.Ownable")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant OWNABLE_STORAGE =
        0x9016d09d72d40fdae2fd8ceac6b6234c7706214fd39c1cd1e609a0528c199300;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event Paid(address indexed token, address indexed to, uint256 amount);

    error OwnableUnauthorizedAccount(address account);
    error OwnableInvalidOwner(address owner);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(address initialOwner) external initializer {
        if (initialOwner == address(0)) revert OwnableInvalidOwner(address(0));
        _transferOwnership(initialOwner);
    }

    modifier onlyOwner() {
        if (owner() != msg.sender) revert OwnableUnauthorizedAccount(msg.sender);
        _;
    }

    function owner() public view returns (address) {
        return _ownable()._owner;
    }

    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert OwnableInvalidOwner(address(0));
        _transferOwnership(newOwner);
    }

    /// Pay `amount` base units of `token` to `to` (a grant).
    function pay(address token, address to, uint256 amount) external onlyOwner {
        IERC20(token).safeTransfer(to, amount);
        emit Paid(token, to, amount);
    }

    /// Run `target`'s code on the vault's own storage and balances.
    function delegateExecute(address target, bytes calldata data) external onlyOwner returns (bytes memory) {
        return Address.functionDelegateCall(target, data);
    }

    function version() public pure virtual returns (uint256) {
        return 1;
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _transferOwnership(address newOwner) internal {
        OwnableStorage storage $ = _ownable();
        address previous = $._owner;
        $._owner = newOwner;
        emit OwnershipTransferred(previous, newOwner);
    }

    function _ownable() private pure returns (OwnableStorage storage $) {
        assembly {
            $.slot := OWNABLE_STORAGE
        }
    }
}
