"""Exact matrix arithmetic modulo a prime, fast enough to be the market's work unit.

A job is C = A·B mod P with P = 1048573, the largest prime below 2**20. The inputs are derived
from a seed, so buyer, provider and contract agree on them without shipping matrices.

Exactness: a float64 holds every integer below 2**53 exactly, and BLAS (or cuBLAS) only adds
and multiplies. With entries below 2**20 each product is below 2**40, so a dot product over at
most 2**13 = 8192 terms stays below 2**53 whatever order the library sums in: every partial sum
is an exact integer. Longer inner dimensions are cut into chunks of at most `CHUNK`; each
chunk's product is reduced mod P and the reduced chunks are added mod P (two values below P add
to below 2**21, still exact).

Backends: "numpy" (float64 BLAS on the CPU), "torch" (torch float64 on a CUDA device) and
"cupy". "auto" picks a GPU backend only when torch with CUDA (or cupy) imports and sees a device.
torch and cupy are imported lazily, only when asked for or when auto-detecting, and never needed.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

P = 1048573
CHUNK = 8192            # the longest inner dimension a float64 dot product sums exactly
BACKENDS = ("numpy", "torch", "cupy")
_BLOCK_ELEMENTS = 1 << 20          # floats of A converted at once (8 MB)
_INVERSE_P = 1.0 / P


def inputs(seed: bytes, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The job's A and B (n×n, uint64, entries in [0, P)), the same in every process."""
    if n < 1:
        raise ValueError(f"a job needs n ≥ 1, not {n}")
    digest = hashlib.sha256(b"steward-compute" + bytes(seed)).digest()
    rng = np.random.Generator(np.random.PCG64(int.from_bytes(digest, "big")))
    a = rng.integers(0, P, size=(n, n), dtype=np.uint64)
    b = rng.integers(0, P, size=(n, n), dtype=np.uint64)
    return a, b


# --- backends ---------------------------------------------------------------------------------
def _torch_cuda():
    """The torch module when it imports and sees a CUDA device, else None."""
    try:
        import torch
    except Exception:       # not installed, or a broken install: either way not usable
        return None
    try:
        return torch if torch.cuda.is_available() and torch.cuda.device_count() > 0 else None
    except Exception:
        return None


def _cupy():
    try:
        import cupy
    except Exception:
        return None
    try:
        return cupy if cupy.cuda.runtime.getDeviceCount() > 0 else None
    except Exception:
        return None


@functools.lru_cache(maxsize=None)
def _detected(name: str) -> bool:
    """Whether a GPU backend is usable here (probed once per process: importing torch is slow)."""
    return (_torch_cuda() if name == "torch" else _cupy()) is not None


def available_backend(requested: str = "auto") -> str:
    """The backend `matmul` uses for `requested`: the one named (if it works here) or, for
    "auto", torch with CUDA, then cupy, then numpy."""
    if requested == "auto":
        for name in ("torch", "cupy"):
            if _detected(name):
                return name
        return "numpy"
    if requested not in BACKENDS:
        raise ValueError(f"unknown backend {requested!r}: use auto, {', '.join(BACKENDS)}")
    if requested != "numpy" and not _detected(requested):
        what = "torch with a CUDA device" if requested == "torch" else "cupy with a CUDA device"
        raise RuntimeError(f"backend {requested!r} needs {what}, and none is usable here")
    return requested


# --- exact products ---------------------------------------------------------------------------
def _check_operands(a: np.ndarray, b: np.ndarray) -> None:
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply shapes {a.shape} and {b.shape}")


def _reduce(x, floor):
    """x mod P for float64 arrays (numpy, torch or cupy) of non-negative integers below 2**53.

    Not fmod: libm's fmod is exact long division, about 150 ns an entry for numbers this much
    bigger than P, which made it cost more than the product. floor(x·(1/P)) is off by at most
    one (x/P < 2**33 with a relative error near 2**-52, so an absolute one below 2**-19), q·P and
    x − q·P are exact integers below 2**53, and one correction each way lands in [0, P)."""
    x = x - floor(x * _INVERSE_P) * P
    return x + (x < 0) * float(P) - (x >= P) * float(P)


def _reduce_in_place(x: np.ndarray) -> np.ndarray:
    """`_reduce` for numpy, without temporaries beyond one array (the products are big)."""
    q = np.multiply(x, _INVERSE_P)
    np.floor(q, out=q)
    q *= P
    x -= q
    np.add(x, P, out=x, where=x < 0)
    np.subtract(x, P, out=x, where=x >= P)
    return x


def _numpy_product(a: np.ndarray, b: np.ndarray, chunk: int) -> np.ndarray:
    bf = b.astype(np.float64)
    out = np.empty((a.shape[0], b.shape[1]), dtype=np.uint64)
    # A is converted a block of rows at a time: the float copy stays in cache, which matters
    # when the product itself is cheap (A times a few vectors, as in Freivalds' check).
    step = max(1, _BLOCK_ELEMENTS // max(1, a.shape[1]))
    for top in range(0, a.shape[0], step):
        af = a[top:top + step].astype(np.float64)
        total = None
        for start in range(0, a.shape[1], chunk):
            part = _reduce_in_place(af[:, start:start + chunk] @ bf[start:start + chunk])
            total = part if total is None else _reduce_in_place(np.add(total, part, out=total))
        out[top:top + step] = total if total is not None else 0
    return out


def _torch_product(a: np.ndarray, b: np.ndarray, chunk: int) -> np.ndarray:
    torch = _torch_cuda()
    device = torch.device("cuda")
    af = torch.from_numpy(a.astype(np.float64)).to(device)
    bf = torch.from_numpy(b.astype(np.float64)).to(device)
    total = torch.zeros((a.shape[0], b.shape[1]), dtype=torch.float64, device=device)
    for start in range(0, a.shape[1], chunk):
        total = _reduce(total + _reduce(af[:, start:start + chunk] @ bf[start:start + chunk],
                                        torch.floor), torch.floor)
    return total.cpu().numpy().astype(np.uint64)


def _cupy_product(a: np.ndarray, b: np.ndarray, chunk: int) -> np.ndarray:
    cp = _cupy()
    af, bf = cp.asarray(a, dtype=cp.float64), cp.asarray(b, dtype=cp.float64)
    total = cp.zeros((a.shape[0], b.shape[1]), dtype=cp.float64)
    for start in range(0, a.shape[1], chunk):
        total = _reduce(total + _reduce(af[:, start:start + chunk] @ bf[start:start + chunk],
                                        cp.floor), cp.floor)
    return cp.asnumpy(total).astype(np.uint64)


_PRODUCTS = {"numpy": _numpy_product, "torch": _torch_product, "cupy": _cupy_product}


def _matmul(a: np.ndarray, b: np.ndarray, backend: str = "auto", chunk: int = CHUNK) -> np.ndarray:
    """(a @ b) mod P, the inner dimension cut into chunks of at most `chunk` (≤ CHUNK)."""
    if not 1 <= chunk <= CHUNK:
        raise ValueError(f"chunk must be in 1..{CHUNK} for the sums to stay exact, not {chunk}")
    a, b = np.asarray(a), np.asarray(b)
    _check_operands(a, b)
    for operand in (a, b):     # a value ≥ P (or negative) would break the exactness bound
        if not np.issubdtype(operand.dtype, np.integer):
            raise ValueError(f"operands must hold integers in [0, {P}), not {operand.dtype}")
        if operand.size and (operand.max() >= P or (
                np.issubdtype(operand.dtype, np.signedinteger) and operand.min() < 0)):
            raise ValueError(f"operands must hold values in [0, {P})")
    return _PRODUCTS[available_backend(backend)](a, b, chunk)


def matmul(a: np.ndarray, b: np.ndarray, backend: str = "auto") -> np.ndarray:
    """Exact (a @ b) mod P as uint64, for any a (m×k) and b (k×n) with entries in [0, P)."""
    return _matmul(a, b, backend)


def matvec(a: np.ndarray, x: np.ndarray, backend: str = "numpy") -> np.ndarray:
    """Exact (a @ x) mod P for a vector x (or a matrix of column vectors), as uint64."""
    x = np.asarray(x)
    if x.ndim == 1:
        return _matmul(a, x.reshape(-1, 1), backend).reshape(-1)
    return _matmul(a, x, backend)


__all__ = ["BACKENDS", "CHUNK", "P", "available_backend", "inputs", "matmul", "matvec"]
