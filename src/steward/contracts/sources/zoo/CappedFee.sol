// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IZooRouter {
    function factory() external view returns (address);
    function WETH() external view returns (address);
}

interface IZooFactory {
    function createPair(address tokenA, address tokenB) external returns (address);
}

/// @title Capped sell fee (legitimate, scam zoo)
/// @notice LEGITIMATE sandbox specimen. Ownable; sells (transfers into the pair) pay a 2% fee
///         to a fixed treasury. The owner may change the fee with setFee, but never above 5%:
///         a bounded, disclosed tax.
contract CappedFee {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    address public owner;
    address public pair;
    address public immutable treasury;
    uint256 public feePercent = 2;
    uint256 public constant MAX_FEE_PERCENT = 5;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    constructor(string memory name_, string memory symbol_, uint256 supply, address router,
                address treasury_) {
        name = name_;
        symbol = symbol_;
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
        treasury = treasury_;
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

    function setFee(uint256 percent) external onlyOwner {
        require(percent <= MAX_FEE_PERCENT, "fee above 5%");
        feePercent = percent;
    }

    function transferOwnership(address newOwner) external onlyOwner {
        require(newOwner != address(0), "zero owner");
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    function renounceOwnership() external onlyOwner {
        emit OwnershipTransferred(owner, address(0));
        owner = address(0);
    }

    function _transfer(address from, address to, uint256 amount) internal {
        require(to != address(0), "transfer to zero address");
        uint256 balance = balanceOf[from];
        require(balance >= amount, "insufficient balance");
        unchecked { balanceOf[from] = balance - amount; }
        uint256 fee = 0;
        // the owner's own transfers (seeding the pool) are fee-free
        if (to == pair && from != owner) {
            fee = amount * feePercent / 100;
            balanceOf[treasury] += fee;
            emit Transfer(from, treasury, fee);
        }
        balanceOf[to] += amount - fee;
        emit Transfer(from, to, amount - fee);
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
