// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title EIP-1967 upgradeable proxy (scam zoo)
/// @notice MALICIOUS sandbox specimen. Holds the token's state and delegates every call to an
///         implementation that the admin can swap at any time, e.g. from a benign token to a
///         honeypot, without holders noticing anything but the Upgraded event.
contract Proxy1967 {
    // bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1)
    bytes32 internal constant IMPLEMENTATION_SLOT =
        0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    // bytes32(uint256(keccak256("eip1967.proxy.admin")) - 1)
    bytes32 internal constant ADMIN_SLOT =
        0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103;

    event Upgraded(address indexed implementation);
    event AdminChanged(address previousAdmin, address newAdmin);

    constructor(address implementation_, bytes memory initData) {
        _setImplementation(implementation_);
        _setAdmin(msg.sender);
        if (initData.length > 0) {
            (bool ok, bytes memory reason) = implementation_.delegatecall(initData);
            if (!ok) {
                assembly { revert(add(reason, 32), mload(reason)) }
            }
        }
    }

    modifier onlyAdmin() {
        require(msg.sender == _admin(), "not the admin");
        _;
    }

    function proxyAdmin() external view returns (address) {
        return _admin();
    }

    function proxyImplementation() external view returns (address) {
        return _implementation();
    }

    function upgradeTo(address newImplementation) external onlyAdmin {
        _setImplementation(newImplementation);
    }

    function changeProxyAdmin(address newAdmin) external onlyAdmin {
        require(newAdmin != address(0), "zero admin");
        _setAdmin(newAdmin);
    }

    function _implementation() internal view returns (address impl) {
        bytes32 slot = IMPLEMENTATION_SLOT;
        assembly { impl := sload(slot) }
    }

    function _admin() internal view returns (address adm) {
        bytes32 slot = ADMIN_SLOT;
        assembly { adm := sload(slot) }
    }

    function _setImplementation(address impl) internal {
        require(impl.code.length > 0, "implementation has no code");
        bytes32 slot = IMPLEMENTATION_SLOT;
        assembly { sstore(slot, impl) }
        emit Upgraded(impl);
    }

    function _setAdmin(address adm) internal {
        emit AdminChanged(_admin(), adm);
        bytes32 slot = ADMIN_SLOT;
        assembly { sstore(slot, adm) }
    }

    fallback() external payable {
        address impl = _implementation();
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), impl, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }

    receive() external payable {}
}
