"""Kronecker products, Kronecker-structured products and solves, Sylvester and
Lyapunov equations.

vec() is column-major: ``vec(X) = X.reshape(-1, order='F')``. With it
``(A ⊗ B) vec(X) = vec(B X A^T)`` and ``(A ⊕ B) vec(X) = vec(B X + X A^T)``.
Real arithmetic when every input is real, complex otherwise.
"""

import numpy as np

from . import _lib
from ._array import call, matrix, output, real_or_complex, result_dtype, scalar_callback, square

L = _lib.lib

__all__ = ["kron", "kronsum", "khatri_rao", "kron_matmul", "kron_matvec", "kron_solve",
           "kronsum_solve", "kronsum_expm", "kronsum_expm_matmul", "kron_funm", "kronsum_funm",
           "kron_funm_matmul", "kronsum_funm_matmul", "solve_sylvester", "solve_continuous_lyapunov",
           "solve_discrete_lyapunov", "sylvester", "lyapunov", "lyapunov_discrete"]


def kron(a, b):
    """Kronecker product a ⊗ b, (m p) x (n q), as numpy.kron for 2-D arrays."""
    a, A = matrix(a, "a")
    b, B = matrix(b, "b")
    k, K = output(a.shape[0] * b.shape[0], a.shape[1] * b.shape[1], result_dtype(a, b))
    call(L.mf_kron, A, B, K)
    return k


def kronsum(a, b):
    """Kronecker sum a ⊕ b = a ⊗ I + I ⊗ b of square a (m x m) and b (p x p)."""
    a, A = square(a, "a")
    b, B = square(b, "b")
    n = a.shape[0] * b.shape[0]
    k, K = output(n, n, result_dtype(a, b))
    call(L.mf_kronsum, A, B, K)
    return k


def khatri_rao(a, b):
    """Column-wise Kronecker product, as scipy.linalg.khatri_rao: k[:, j] = a[:, j] ⊗ b[:, j]."""
    a, A = matrix(a, "a")
    b, B = matrix(b, "b")
    k, K = output(a.shape[0] * b.shape[0], a.shape[1], result_dtype(a, b))
    call(L.mf_khatri_rao, A, B, K)
    return k


def kron_matmul(a, b, x):
    """``b @ x @ a.T``, i.e. vec(y) = (a ⊗ b) vec(x), never forming a ⊗ b.

    a m x n, b p x q, x q x n; the result is p x m.
    """
    a, A = matrix(a, "a")
    b, B = matrix(b, "b")
    x, X = matrix(x, "x")
    y, Y = output(b.shape[0], a.shape[0], result_dtype(a, b, x))
    call(L.mf_kron_matmul, A, B, X, Y)
    return y


def kron_matvec(factors, x):
    """``(f_1 ⊗ f_2 ⊗ ... ⊗ f_k) @ x`` for a list of factors, never forming the product.

    x has prod(n_i) rows (or is a vector of that length: the result is then a
    vector too); the result has prod(m_i) rows.
    """
    factors = [matrix(f, "factors[%d]" % i) for i, f in enumerate(factors)]
    if not factors:
        raise ValueError("kron_matvec: at least one factor is needed")
    vec = np.ndim(x) == 1
    x, X = matrix(x, "x", vector=True)
    descs = (_lib.MfMatrix * len(factors))(*[d for _, d in factors])
    rows = int(np.prod([f.shape[0] for f, _ in factors]))
    y, Y = output(rows, x.shape[1], result_dtype(x, *[f for f, _ in factors]))
    call(L.mf_kron_matvec, len(factors), descs, X, Y)
    return y[:, 0] if vec else y


def _solve3(cfn, a, b, c):
    a, A = square(a, "a")
    b, B = square(b, "b")
    c, C = matrix(c, "c")
    x, X = output(c.shape[0], c.shape[1], result_dtype(a, b, c))
    call(cfn, A, B, C, X)
    return x


def kron_solve(a, b, c):
    """Solve (a ⊗ b) vec(x) = vec(c), i.e. ``b @ x @ a.T == c``, without forming a ⊗ b.

    a m x m, b p x p, c p x m. SingularError when a ⊗ b is singular to
    working precision.
    """
    return _solve3(L.mf_kron_solve, a, b, c)


def kronsum_solve(a, b, c):
    """Solve (a ⊕ b) vec(x) = vec(c), i.e. ``b @ x + x @ a.T == c``.

    a m x m, b p x p, c p x m; SingularError as for :func:`solve_sylvester`.
    """
    return _solve3(L.mf_kronsum_solve, a, b, c)


def kronsum_expm(a, b):
    """exp(a ⊕ b) = expm(a) ⊗ expm(b), (m p) x (m p), from two small exponentials."""
    a, A = square(a, "a")
    b, B = square(b, "b")
    n = a.shape[0] * b.shape[0]
    e, E = output(n, n, result_dtype(a, b))
    call(L.mf_kronsum_expm, A, B, E)
    return e


def kronsum_expm_matmul(a, b, x):
    """``expm(b) @ x @ expm(a).T``, i.e. vec(y) = exp(a ⊕ b) vec(x), never forming it.

    a m x m, b p x p, x p x m: the solution of Y' = b Y + Y a^T at time 1.
    """
    a, A = square(a, "a")
    b, B = square(b, "b")
    x, X = matrix(x, "x")
    y, Y = output(x.shape[0], x.shape[1], result_dtype(a, b, x))
    call(L.mf_kronsum_expm_matmul, A, B, X, Y)
    return y


def _funm_call(cname, pyname, a, b, f, x, complex_result):
    """f(a ∘ b) formed (x None) or applied to the blocks of x."""
    a, A = square(a, "a")
    b, B = square(b, "b")
    cb, ctx = scalar_callback(f, cname, pyname)
    caller = ctx.call if ctx is not None else call
    cfn = getattr(L, cname)
    if x is None:
        inputs, shape, args = (a, b), (a.shape[0] * b.shape[0],) * 2, ()
    else:
        x, X = matrix(x, "x")
        inputs, shape, args = (a, b, x), x.shape, (X,)

    def run(dt):
        out, O = output(shape[0], shape[1], dt)
        caller(cfn, A, B, cb, None, *args, O)
        return out

    return real_or_complex(run, result_dtype(*inputs) == np.complex128, complex_result)


def kron_funm(a, b, f, complex_result=None):
    """f(a ⊗ b), (m p) x (m p), from the factors' decompositions.

    ``f`` as for :func:`funm` (a ready function's name such as 'exp' or
    'log', or a callable ``f(z, k)`` giving the k-th derivative at complex
    points z). Normal factors (Hermitian, orthogonal, ...) need only
    f(λ_i μ_k); otherwise Schur-Parlett runs on the triangular Ta ⊗ Tb,
    never on a Schur decomposition of a ⊗ b. complex_result as for funm:
    real input gives a float64 result when it is real to roundoff.
    """
    return _funm_call("mf_kron_funm", "kron_funm", a, b, f, None, complex_result)


def kronsum_funm(a, b, f, complex_result=None):
    """f(a ⊕ b), a ⊕ b = a ⊗ I + I ⊗ b, as :func:`kron_funm` with eigenvalue sums."""
    return _funm_call("mf_kronsum_funm", "kronsum_funm", a, b, f, None, complex_result)


def kron_funm_matmul(a, b, f, x, complex_result=None):
    """vec(y) = f(a ⊗ b) vec(x), without forming f(a ⊗ b) when a or b is normal.

    a m x m, b p x p, x p x m -- or p x (m r): r blocks side by side, each
    mapped separately (y has x's shape). f and complex_result as for
    :func:`kron_funm`; a real y is accepted when its imaginary part is below
    2^-26 ||f(a ⊗ b)||_F ||x||_F.
    """
    return _funm_call("mf_kron_funm_matmul", "kron_funm_matmul", a, b, f, x, complex_result)


def kronsum_funm_matmul(a, b, f, x, complex_result=None):
    """vec(y) = f(a ⊕ b) vec(x) for the p x m blocks of x, as :func:`kron_funm_matmul`."""
    return _funm_call("mf_kronsum_funm_matmul", "kronsum_funm_matmul", a, b, f, x,
                      complex_result)


def solve_sylvester(a, b, q):
    """Solve ``a @ x + x @ b == q`` (Bartels-Stewart), as scipy.linalg.solve_sylvester.

    SingularError when some eigenvalue sum λ_i(a) + μ_j(b) is zero to working
    precision.
    """
    return _solve3(L.mf_sylvester, a, b, q)


def _lyap(cfn, a, q):
    a, A = square(a, "a")
    q, Q = matrix(q, "q")
    x, X = output(q.shape[0], q.shape[1], result_dtype(a, q))
    call(cfn, A, Q, X)
    return x


def solve_continuous_lyapunov(a, q):
    """Solve ``a @ x + x @ a.conj().T == q``, as scipy.linalg.solve_continuous_lyapunov.

    Symmetric/Hermitian q gives an exactly symmetric/Hermitian x.
    """
    return _lyap(L.mf_lyapunov, a, q)


def solve_discrete_lyapunov(a, q):
    """Solve ``a @ x @ a.conj().T - x + q == 0``, as scipy.linalg.solve_discrete_lyapunov."""
    return _lyap(L.mf_lyapunov_discrete, a, q)


# Short names following the C functions.
sylvester = solve_sylvester
lyapunov = solve_continuous_lyapunov
lyapunov_discrete = solve_discrete_lyapunov
