#!/usr/bin/python3
"""Reference data for the iterations of sqrtm and signm (tests/data/iterations_ref.h).

sqrtm: well-conditioned random matrices, the class src/funcs/sqrtm_iter.c
is for: a positive definite Hermitian part and kappa_1(A) <= 1e4 (both
checked here). signm: random matrices on both routes of mf_signm, the
Newton iteration (kappa_1(A) well below 1e3, names sign_newton_*) and the
Schur method (kappa_1(A) above 1e3, names sign_schur_*).

Same format and method as gen_sqrtm.py: every input is rounded to double,
f(A) is computed with mpmath at 60 digits from the eigendecomposition,
V diag(f(lambda)) V^-1 (sqrt: principal branch; sign: +-1 by the sign of
the real part), and checked in mpmath (sqrt: ||F^2 - A|| / ||A||; sign:
||F^2 - I|| + ||F A - A F|| / ||A||, both <= 1e-40) before it is written.
The relative condition number in the Frobenius norm, ||K||_2 ||A||_F /
||F||_F with K the Kronecker form of the Frechet derivative, is evaluated
in double precision with NumPy (three digits are all the tests use; K is
too large for mpmath at n = 24): sqrt: K = (I (x) S + S^T (x) I)^-1; sign:
K = (V^-T (x) V) diag(vec Phi) (V^T (x) V^-1), Phi_ij the divided
difference (s_i - s_j) / (lambda_i - lambda_j) (0 when s_i = s_j).

Regenerate with
  /usr/bin/python3 tests/data/gen_iterations.py > tests/data/iterations_ref.h
(a few minutes: mpmath's eigensolver at n = 24 dominates).
"""
import io
import os
import sys

import mpmath as mp
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_sqrtm import eig_function, fro, write_c_table, write_case  # noqa: E402

mp.mp.dps = 60


def to_mp(a):
    n = a.shape[0]
    return mp.matrix([[mp.mpc(float(a[i, j].real), float(a[i, j].imag)) for j in range(n)]
                      for i in range(n)])


def principal_sqrt(a):
    return eig_function(a, mp.sqrt)


def sign(a):
    return eig_function(a, lambda x: mp.mpf(1) if mp.re(x) > 0 else mp.mpf(-1))


def kron_cond(a, s):
    """||L||_2 ||A||_F / ||S||_F, L the Frechet derivative of sqrt at A."""
    n = a.shape[0]
    eye = np.eye(n)
    k = np.kron(eye, s) + np.kron(s.T, eye)
    sigma_min = np.linalg.svd(k, compute_uv=False)[-1]
    return np.linalg.norm(a) / (sigma_min * np.linalg.norm(s))


def sign_cond(a, s):
    w, v = np.linalg.eig(a)
    sg = np.sign(w.real)
    num = sg[:, None] - sg[None, :]
    den = w[:, None] - w[None, :]
    phi = np.divide(num, den, out=np.zeros_like(den), where=num != 0)
    vi = np.linalg.inv(v)
    k = np.kron(vi.T, v) @ np.diag(phi.reshape(-1, order='F')) @ np.kron(v.T, vi)
    return np.linalg.norm(k, 2) * np.linalg.norm(a) / np.linalg.norm(s)


def kappa1(a):
    return np.linalg.norm(a, 1) * np.linalg.norm(np.linalg.inv(a), 1)


def check_class(name, a):
    h = (a + a.conj().T) / 2
    if np.linalg.eigvalsh(h)[0] <= 0:
        raise SystemExit(f'{name}: the Hermitian part is not positive definite')
    kappa = kappa1(a)
    if kappa > 1e4:
        raise SystemExit(f'{name}: kappa_1 = {kappa:.3g} > 1e4')


def emit(out, name, a, func='sqrtm'):
    am = to_mp(a)
    n = a.shape[0]
    if func == 'sqrtm':
        check_class(name, a)
        f = principal_sqrt(am)
        r = fro(f * f - am) / fro(am)
    else:
        f = sign(am)
        r = fro(f * f - mp.eye(n)) + fro(f * am - am * f) / fro(am)
    if r > mp.mpf(10) ** -40:
        raise SystemExit(f'{name}: reference residual {mp.nstr(r, 5)}')
    fd = np.array([[complex(f[i, j]) for j in range(n)] for i in range(n)])
    cond = kron_cond(a, fd) if func == 'sqrtm' else sign_cond(a, fd)
    write_case(out, name, func, not np.iscomplexobj(a), 'OK', mp.mpf(float(cond)), am, f)


def main():
    rng = np.random.default_rng(2024)
    out = io.StringIO()
    out.write('# libmatfun sqrtm/signm iteration reference data: tests/data/gen_iterations.py '
              '(mpmath, 60 digits)\n')
    for n in (5, 16, 24):
        g = rng.standard_normal((n, n))
        emit(out, f'well_real_{n}', np.eye(n) + 0.3 / np.sqrt(n) * g)
        gc = (rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))) / np.sqrt(2)
        emit(out, f'well_complex_{n}', np.eye(n) + 0.3 / np.sqrt(n) * gc)
    # eigenvalues spread over three decades, a skew-symmetric part
    n = 20
    q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    k = rng.standard_normal((n, n))
    emit(out, 'spread_real_20',
         q @ np.diag(np.logspace(0, 3, n)) @ q.T + 2.0 * (k - k.T) / np.sqrt(n))
    # non-normal: strictly upper triangular coupling on 2 I, then a rotation
    n = 16
    t = 2.0 * np.eye(n) + 0.3 * np.triu(rng.standard_normal((n, n)), 1)
    q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    emit(out, 'nonnormal_real_16', q @ t @ q.T)
    # signm: Newton route (well-conditioned) and Schur route (kappa_1 > 1e3)
    sign_rng = np.random.default_rng(2025)
    for n, cplx in ((12, False), (16, True)):
        a = np.diag(np.where(np.arange(n) % 2, -1.0, 1.0) * (1 + np.arange(n) / n))
        a = a + 0.3 / np.sqrt(n) * sign_rng.standard_normal((n, n))
        if cplx:
            a = a + 0.3j / np.sqrt(n) * sign_rng.standard_normal((n, n))
        if kappa1(a) > 1e2:
            raise SystemExit(f'sign_newton_{n}: kappa_1 = {kappa1(a):.3g}')
        emit(out, f'sign_newton_{"complex" if cplx else "real"}_{n}', a, 'signm')
    for n, cplx in ((20, False), (24, False), (16, True)):
        while True:  # Gaussian, ill-conditioned enough for the Schur route
            a = sign_rng.standard_normal((n, n))
            if cplx:
                a = a + 1j * sign_rng.standard_normal((n, n))
            if kappa1(a) > 1e4:
                break
        emit(out, f'sign_schur_{"complex" if cplx else "real"}_{n}', a, 'signm')
    write_c_table('gen_iterations.py', 'iterations_ref_lines', out.getvalue())


if __name__ == '__main__':
    main()
