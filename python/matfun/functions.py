"""Matrix functions: exp, square root, sign, cos/sin, general f, derivatives.

Real input with a possibly complex result
-----------------------------------------
Functions whose value at a real matrix need not be real (``sqrtm`` and
``funm``) take ``complex_result``:

- ``None`` (default): try real arithmetic and a real result; if the library
  reports MF_ENOTREAL (e.g. an eigenvalue on the negative real axis for
  sqrtm) retry with a complex output. Like SciPy: the result is float64
  when it is real and complex128 when it has to be.
- ``True``: always return complex128.
- ``False``: real or nothing: NotRealError if the result is not real.

Complex input always gives complex output; functions whose value at a real
matrix is always real (expm, cosm, signm, ...) return float64 for real input.
"""

import ctypes
import inspect

import numpy as np

from . import _lib, errors
from ._array import (_coerce, call, matrix, output, real_or_complex, ref, result_dtype,
                     scalar_callback, square)

L = _lib.lib
_F8, _C16 = np.dtype(np.float64), np.dtype(np.complex128)


def _unary_call(cfn, a, scalars=(), complex_result=None):
    """out = f(a) through ``cfn(A, *scalars, out)``, with the real/complex rule."""
    a, A = square(a)
    n = a.shape[0]

    def run(dt):
        out, O = output(n, n, dt)
        call(cfn, A, *scalars, O)
        return out

    return real_or_complex(run, a.dtype == _C16, complex_result)


# One row per function of the form mf_xxx(const mf_matrix *A, [double ...,] mf_matrix *out):
# (python name, C name, scalar parameters, may be complex for real input, docstring).
# The C prototype follows from the row.
_UNARY = [
    ("logm", "mf_logm", (), True,
     """Principal matrix logarithm l with expm(l) == a (eigenvalues of l with
     imaginary parts in (-pi, pi]).

     Real ``a`` with an eigenvalue on the negative real axis has a complex
     logarithm: see complex_result in the module docstring. Raises
     DomainError for singular ``a``."""),
    ("powm", "mf_powm", ("p",), True,
     """Principal real power ``a**p`` for real p (Schur-Pade; Hermitian input
     through its eigendecomposition, integer p by repeated squaring).

     Raises SingularError for p < 0 and singular ``a``; complex_result as
     for sqrtm."""),
    ("sqrtm", "mf_sqrtm", (), True,
     """Principal square root s with s @ s == a (eigenvalues of s in the right half-plane).

     Real ``a`` with an eigenvalue on the negative real axis has a complex
     root: see complex_result in the module docstring. Raises DomainError
     when no square root exists (e.g. [[0, 1], [0, 0]])."""),
    ("signm", "mf_signm", (), False,
     """Matrix sign function (Newton iteration with determinantal scaling).

     Raises DomainError when ``a`` has an eigenvalue on or near the imaginary
     axis (including singular ``a``)."""),
    ("cosm", "mf_cosm", (), False, """Matrix cosine cos(a)."""),
    ("sinm", "mf_sinm", (), False, """Matrix sine sin(a)."""),
]


def _make_unary(pyname, cname, scalars, may_be_complex, doc):
    cfn = _lib.declare(cname, "s: M, " + "d, " * len(scalars) + "M")

    if may_be_complex:
        def f(a, *args, complex_result=None):
            return _unary_call(cfn, a, tuple(float(x) for x in args), complex_result)
        params = [inspect.Parameter("complex_result", inspect.Parameter.KEYWORD_ONLY,
                                    default=None)]
    else:
        def f(a, *args):
            return _unary_call(cfn, a, tuple(float(x) for x in args), None)
        params = []
    pos = inspect.Parameter.POSITIONAL_OR_KEYWORD
    f.__signature__ = inspect.Signature(
        [inspect.Parameter("a", pos)] + [inspect.Parameter(s, pos) for s in scalars] + params)
    f.__name__ = f.__qualname__ = pyname
    f.__module__ = __name__
    f.__doc__ = inspect.cleandoc(doc)
    return f


for _row in _UNARY:
    globals()[_row[0]] = _make_unary(*_row)

__all__ = [r[0] for r in _UNARY] + [
    "expm", "expm_info", "expm_frechet", "expm_cond", "expm_multiply", "sqrtm_frechet",
    "sqrtm_cond", "logm_frechet", "logm_cond", "powm_cond", "cossinm", "funm"]

# ---------------------------------------------------------------------------
# Exponential
# ---------------------------------------------------------------------------

_SCHEMES = {"auto": 0, "taylor-bbc": 1, "taylor-sid": 2, "pade": 3}
_METHODS = {0: "scaling-squaring", 1: "triangular", 2: "diagonal", 3: "closed-form",
            4: "hermitian"}


def _expm_options(scheme, structure):
    if scheme not in _SCHEMES:
        raise ValueError("expm: scheme must be one of %s" % ", ".join(_SCHEMES))
    return _lib.ExpmOptions(_SCHEMES[scheme], 0 if structure else 1)


def expm(a, scheme="auto", structure=True, threads=0):
    """Matrix exponential exp(a) by scaling and squaring (Al-Mohy & Higham bounds).

    ``a`` is n x n, or a stack of shape (..., n, n): each matrix is
    exponentiated (in parallel over the stack with ``threads`` threads, 0 =
    one per CPU). scheme: 'auto' (cheapest Taylor scheme), 'taylor-bbc',
    'taylor-sid' or 'pade'; structure=False disables the shortcuts for
    diagonal, triangular, Hermitian and 2 x 2 matrices (single matrices
    only). Raises ResultOverflowError when exp(a) is beyond the double range.
    """
    arr = np.asarray(a)
    if arr.ndim > 2:
        return _expm_stack(arr, threads)
    a, A = square(arr)
    n = a.shape[0]
    e, E = output(n, n, a.dtype)
    opts = _expm_options(scheme, structure)
    call(L.mf_expm_ex, A, E, ctypes.byref(opts), None)
    return e


def expm_info(a, scheme="auto", structure=True):
    """``(expm(a), info)`` where info is a dict: method, scheme, degree, squarings,
    products, solves, norm1 and eta (the norm bound that chose the squarings)."""
    a, A = square(a)
    n = a.shape[0]
    e, E = output(n, n, a.dtype)
    opts = _expm_options(scheme, structure)
    info = _lib.ExpmInfo()
    call(L.mf_expm_ex, A, E, ctypes.byref(opts), ctypes.byref(info))
    names = {v: k for k, v in _SCHEMES.items()}
    return e, {"method": _METHODS.get(info.method, info.method),
               "scheme": names.get(info.scheme, info.scheme), "degree": info.degree,
               "squarings": info.squarings, "products": info.products, "solves": info.solves,
               "norm1": info.norm1, "eta": info.eta}


def _expm_stack(arr, threads):
    if arr.shape[-1] != arr.shape[-2]:
        raise errors.DimensionError("expm: the last two axes must be square, got %s"
                                    % (arr.shape,))
    n = arr.shape[-1]
    shape = arr.shape
    # A C-contiguous (count, n, n) block: member k starts k n^2 elements on.
    stack = np.ascontiguousarray(_coerce(arr, "a").reshape((-1, n, n)))
    count = stack.shape[0]
    out = np.empty_like(stack)
    if count and n:
        A = matrix(stack[0])[1]
        E = matrix(out[0])[1]
        status = np.zeros(count, dtype=np.intc)
        call(L.mf_expm_batch_strided, count, A, n * n, E, n * n, status.ctypes.data,
             int(threads))
    return out.reshape(shape)


def expm_frechet(a, e, compute_expm=True):
    """Frechet derivative of exp at ``a`` in direction ``e``, as scipy.linalg.expm_frechet.

    Returns ``(expm(a), l)``, or ``l`` alone when compute_expm is false.
    Complex arithmetic if either input is complex.
    """
    a, A = square(a)
    e, Em = matrix(e, "e")
    n = a.shape[0]
    dt = result_dtype(a, e)
    x, X = output(n, n, dt) if compute_expm else (None, None)
    l_, Lm = output(n, n, dt)
    call(L.mf_expm_frechet, A, Em, ref(X), Lm)
    return (x, l_) if compute_expm else l_


def expm_cond(a):
    """Estimated relative condition number of exp at ``a`` (Frobenius norm).

    Compares with scipy.linalg.expm_cond up to the estimator's factor
    (usually small; at most n)."""
    a, A = square(a)
    r = ctypes.c_double()
    call(L.mf_expm_cond, A, ctypes.byref(r))
    return r.value


def expm_multiply(a, b, t=1.0):
    """exp(t a) @ b without forming exp(t a) (Al-Mohy & Higham 2011).

    ``b`` is n x r or a vector of length n (then the result is a vector).
    """
    a, A = square(a)
    vec = np.ndim(b) == 1
    b, B = matrix(b, "b", vector=True)
    x, X = output(b.shape[0], b.shape[1], result_dtype(a, b))
    call(L.mf_expm_multiply, A, B, float(t), X)
    return x[:, 0] if vec else x


# ---------------------------------------------------------------------------
# Square root derivatives, cos/sin together
# ---------------------------------------------------------------------------


def sqrtm_frechet(a, e, compute_sqrtm=True, complex_result=None):
    """Frechet derivative l of the principal square root at ``a`` in direction ``e``.

    Solves s l + l s = e with s = sqrtm(a). Returns ``(s, l)``, or ``l``
    alone when compute_sqrtm is false; complex_result as for sqrtm.
    """
    a, A = square(a)
    e, Em = matrix(e, "e")
    n = a.shape[0]

    def run(dt):
        s, S = output(n, n, dt) if compute_sqrtm else (None, None)
        l_, Lm = output(n, n, dt)
        call(L.mf_sqrtm_frechet, A, Em, ref(S), Lm)
        return (s, l_) if compute_sqrtm else l_

    return real_or_complex(run, result_dtype(a, e) == _C16, complex_result)


def sqrtm_cond(a):
    """Estimated relative condition number of the principal square root (Frobenius norm)."""
    a, A = square(a)
    r = ctypes.c_double()
    call(L.mf_sqrtm_cond, A, ctypes.byref(r))
    return r.value


def logm_frechet(a, e, compute_logm=True, complex_result=None):
    """Frechet derivative d of the principal logarithm at ``a`` in direction ``e``.

    Returns ``(logm(a), d)``, or ``d`` alone when compute_logm is false;
    complex_result as for logm.
    """
    a, A = square(a)
    e, Em = matrix(e, "e")
    n = a.shape[0]

    def run(dt):
        l_, Lm = output(n, n, dt) if compute_logm else (None, None)
        d, D = output(n, n, dt)
        call(L.mf_logm_frechet, A, Em, ref(Lm), D)
        return (l_, d) if compute_logm else d

    return real_or_complex(run, result_dtype(a, e) == _C16, complex_result)


def logm_cond(a):
    """Estimated relative condition number of the principal logarithm (Frobenius norm)."""
    a, A = square(a)
    r = ctypes.c_double()
    call(L.mf_logm_cond, A, ctypes.byref(r))
    return r.value


def powm_cond(a, p):
    """Estimated relative condition number of ``a**p`` (Frobenius norm)."""
    a, A = square(a)
    r = ctypes.c_double()
    call(L.mf_powm_cond, A, ctypes.c_double(float(p)), ctypes.byref(r))
    return r.value


def cossinm(a):
    """``(cosm(a), sinm(a))`` computed together (cheaper than two calls)."""
    a, A = square(a)
    n = a.shape[0]
    c, C = output(n, n, a.dtype)
    s, S = output(n, n, a.dtype)
    call(L.mf_cossinm, A, C, S)
    return c, s


# ---------------------------------------------------------------------------
# General f by Schur-Parlett
# ---------------------------------------------------------------------------


def funm(a, f, complex_result=None):
    """General matrix function f(a) by the blocked Schur-Parlett algorithm.

    ``f`` is either the name of a ready C implementation ('exp', 'log',
    'cos', 'sin', 'cosh', 'sinh', 'sqrt'; principal branches) or a Python
    callable ``f(z, k)`` returning the k-th derivative f^(k) at the complex
    points z (a complex128 array), as an array of z's length (or a scalar).
    Unlike scipy.linalg.funm, derivatives are needed: the Taylor series on
    clusters of close eigenvalues uses them (k = 0 at the eigenvalues, up to
    about the number of Taylor terms plus the cluster size elsewhere).

    An exception raised by ``f`` stops the computation and is re-raised
    here. complex_result as in the module docstring: for real ``a`` the
    result is real when f(a) is real to roundoff.
    """
    a, A = square(a)
    cb, ctx = scalar_callback(f, "mf_funm", "funm")
    n = a.shape[0]
    caller = ctx.call if ctx is not None else call

    def run(dt):
        out, O = output(n, n, dt)
        caller(L.mf_funm, A, cb, None, O)
        return out

    return real_or_complex(run, a.dtype == _C16, complex_result)
