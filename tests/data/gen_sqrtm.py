#!/usr/bin/python3
"""Reference data for mf_sqrtm and mf_signm (tests/data/sqrtm_ref.h).

Every input is first rounded to double precision; the references are the
exact functions of those doubles, computed with mpmath at 60 significant
digits:
  - diagonalizable inputs: A = V diag(lambda) V^-1 from mpmath.eig, then
    f(A) = V diag(f(lambda)) V^-1 (sqrt: principal branch, an exactly real
    negative eigenvalue -x gives +i sqrt(x), the library's tie-break);
  - defective inputs (Jordan blocks): mpmath.sqrtm (Denman-Beavers), and
    sign(A) = A (A^2)^(-1/2).
Each result is checked in mpmath (S^2 = A or S^2 = I, S A = A S) before it
is written. With each case goes its relative condition number in the
Frobenius norm, ||L_f(A)||_F ||A||_F / ||f(A)||_F, from the Kronecker form
of the Frechet derivative: for sqrt, K = I (x) S + S^T (x) I inverted;
for sign, central differences at h = 1e-30.

Format (text, one token group per line):
  case <name>
  func sqrtm|signm
  n <n>
  input F64|C128
  real_status OK|ENOTREAL    (what an F64 result of an F64 input gives)
  cond <relative condition number>
  A            then n*n lines "re im", column-major
  F            then n*n lines "re im", column-major: f(A), complex
  end
The text is committed as a C array of its lines (tests/data/sqrtm_ref.h)
so the tests need no file paths at run time:
  /usr/bin/python3 tests/data/gen_sqrtm.py > tests/data/sqrtm_ref.h
"""
import io
import sys
import mpmath as mp

mp.mp.dps = 60


def to_double(a):
    """Round an mpmath matrix entrywise to doubles (kept as mpc)."""
    n = a.rows
    return mp.matrix([[mp.mpc(float(mp.re(a[i, j])), float(mp.im(a[i, j]))) for j in range(n)]
                      for i in range(n)])


def is_real(a):
    return all(mp.im(a[i, j]) == 0 for i in range(a.rows) for j in range(a.cols))


def fro(a):
    return mp.sqrt(sum(abs(a[i, j]) ** 2 for i in range(a.rows) for j in range(a.cols)))


def principal_sqrt(z, real_input):
    z = mp.mpc(z)
    if real_input and abs(mp.im(z)) < mp.mpf(10) ** -40:
        z = mp.mpc(mp.re(z), 0)  # a real eigenvalue of a real matrix is exactly real
    return mp.sqrt(z)  # mpmath: sqrt(-x + 0i) = +i sqrt(x)


def eig_function(a, f):
    e, v = mp.eig(a)
    d = mp.diag([f(x) for x in e])
    return v * d * mp.inverse(v)


def sqrt_ref(a, defective):
    if defective:
        return mp.sqrtm(a)
    return eig_function(a, lambda z: principal_sqrt(z, is_real(a)))


def sign_ref(a, defective):
    if defective:
        return a * mp.inverse(mp.sqrtm(a * a))
    return eig_function(a, lambda z: mp.mpf(1) if mp.re(z) > 0 else mp.mpf(-1))


def kron_cond_sqrt(a, s):
    n = a.rows
    k = mp.zeros(n * n, n * n)
    for i in range(n):
        for j in range(n):
            for p in range(n):
                # vec(S L + L S) = (I (x) S + S^T (x) I) vec(L), column-major vec
                k[i + n * p, j + n * p] += s[i, j]
                k[i + n * p, i + n * j] += s[j, p]
    linv = mp.inverse(k)
    sv = mp.svd_c(linv, compute_uv=False)
    return max(abs(x) for x in sv) * fro(a) / fro(s)


def fd_cond(a, fa, fun):
    n = a.rows
    h = mp.mpf(10) ** -30
    k = mp.zeros(n * n, n * n)
    for j in range(n):
        for i in range(n):
            e = mp.zeros(n, n)
            e[i, j] = 1
            d = (fun(a + h * e) - fun(a - h * e)) / (2 * h)
            for q in range(n):
                for p in range(n):
                    k[p + n * q, i + n * j] = d[p, q]
    sv = mp.svd_c(k, compute_uv=False)
    return max(abs(x) for x in sv) * fro(a) / fro(fa)


def check(name, func, a, f):
    n = a.rows
    eye = mp.eye(n)
    if func == 'sqrtm':
        r = fro(f * f - a) / (fro(a) + 1)
    else:
        r = fro(f * f - eye) + fro(f * a - a * f) / fro(a)
    if r > mp.mpf(10) ** -40:
        raise SystemExit(f'{name}: reference residual {mp.nstr(r, 5)}')


def emit(out, name, func, a, defective=False):
    a = to_double(a)
    real_in = is_real(a)
    f = sqrt_ref(a, defective) if func == 'sqrtm' else sign_ref(a, defective)
    check(name, func, a, f)
    n = a.rows
    if func == 'sqrtm':
        cond = kron_cond_sqrt(a, f)
        status = 'OK' if is_real_enough(f) else 'ENOTREAL'
    else:
        cond = fd_cond(a, f, lambda x: sign_ref(x, defective))
        status = 'OK'
    write_case(out, name, func, real_in, status, cond, a, f)


def write_case(out, name, func, real_in, status, cond, a, f):
    """One case in the format above (a, f: mpmath matrices, a exactly doubles)."""
    n = a.rows
    out.write(f'case {name}\nfunc {func}\nn {n}\ninput {"F64" if real_in else "C128"}\n')
    out.write(f'real_status {status}\ncond {mp.nstr(cond, 6)}\nA\n')
    for j in range(n):
        for i in range(n):
            out.write(f'{float(mp.re(a[i, j])).hex()} {float(mp.im(a[i, j])).hex()}\n')
    out.write('F\n')
    for j in range(n):
        for i in range(n):
            out.write(f'{mp.nstr(mp.re(f[i, j]), 20)} {mp.nstr(mp.im(f[i, j]), 20)}\n')
    out.write('end\n')


def is_real_enough(f):
    scale = fro(f)
    return all(abs(mp.im(f[i, j])) <= mp.mpf(10) ** -40 * scale
               for i in range(f.rows) for j in range(f.cols))


def similarity(d, x):
    return x * d * mp.inverse(x)


def frank(n):
    """Frank matrix (Higham's gallery('frank')): positive eigenvalues, the
    small ones ill conditioned."""
    return mp.matrix([[n - max(i, j) if j >= i - 1 else 0 for j in range(n)] for i in range(n)])


def main():
    out = io.StringIO()
    out.write('# libmatfun sqrtm/signm reference data: tests/data/gen_sqrtm.py (mpmath, 60 digits)\n')
    x4 = mp.matrix([[1, 2, 0, -1], [0, 1, 3, 1], [2, 0, 1, 1], [1, -1, 1, 2]])
    x3 = mp.matrix([[2, 1, 0], [1, 3, 1], [0, 1, 1]])
    # sqrtm
    emit(out, 'frank6', 'sqrtm', frank(6))
    jordan = mp.matrix([[2, 1, 0, 0], [0, 2, 1, 0], [0, 0, 2, 1], [0, 0, 0, 2]])
    emit(out, 'jordan4_eig2', 'sqrtm', jordan, defective=True)
    emit(out, 'jordan3_mixed', 'sqrtm', similarity(mp.matrix([[3, 1, 0], [0, 3, 1], [0, 0, 3]]), x3),
         defective=True)
    near_neg = mp.matrix([[-1, 1e-6, 0, 0], [-1e-6, -1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0.5]])
    emit(out, 'pair_near_negative_axis', 'sqrtm', similarity(near_neg, x4))
    emit(out, 'eigenvalue_near_zero', 'sqrtm',
         mp.matrix([[1e-10, 1, 0.5], [0, 1, 2], [0, 0, 2]]))
    nonnormal = mp.matrix([[1, 10, 10, 10, 10], [0, 2, 10, 10, 10], [0, 0, 3, 10, 10],
                           [0, 0, 0, 4, 10], [0, 0, 0, 0, 5]])
    emit(out, 'nonnormal_triangular', 'sqrtm', nonnormal)
    pairs = mp.matrix([[1, 2, 0, 0, 0, 0], [-2, 1, 0, 0, 0, 0], [0, 0, -3, 0.5, 0, 0],
                       [0, 0, -1, -3, 0, 0], [0, 0, 0, 0, 4, 0], [0, 0, 0, 0, 0, 0.25]])
    x6 = mp.matrix([[1 if i == j else (0.1 * ((i * 7 + j * 3) % 5) - 0.2) for j in range(6)]
                    for i in range(6)])
    emit(out, 'conjugate_pairs', 'sqrtm', similarity(pairs, x6))
    emit(out, 'real_negative_eigenvalue', 'sqrtm',
         similarity(mp.diag([-1, 2, 3]), x3))
    emit(out, 'real_minus_identity_block', 'sqrtm',
         similarity(mp.diag([-4, -4, 9, 1]), x4))
    cx = mp.matrix([[mp.mpc(2, 1), mp.mpc(0.5, -1), 1, 0],
                    [mp.mpc(0, 1), mp.mpc(3, 0), mp.mpc(1, 1), 0.5],
                    [0, mp.mpc(-1, 0.25), mp.mpc(1, -2), 1],
                    [mp.mpc(0.5, 0.5), 0, mp.mpc(-0.5, 0), mp.mpc(4, 1)]])
    emit(out, 'complex_general', 'sqrtm', cx)
    emit(out, 'complex_on_negative_axis', 'sqrtm',
         mp.matrix([[mp.mpc(-1, 0), mp.mpc(1, 1)], [0, mp.mpc(4, 0)]]))
    # signm
    emit(out, 'sign_real_mixed', 'signm',
         similarity(mp.matrix([[1, 3, 0, 1], [0, -2, 1, 0], [0, 0, 0.5, 2], [0, 0, 0, -4]]), x4))
    emit(out, 'sign_real_pairs', 'signm', similarity(pairs, x6))
    emit(out, 'sign_near_imaginary_axis', 'signm',
         similarity(mp.matrix([[1e-3, 1, 0], [-1, 1e-3, 0], [0, 0, -2]]), x3))
    emit(out, 'sign_complex', 'signm', cx - 2 * mp.eye(4))
    emit(out, 'sign_jordan', 'signm',
         mp.matrix([[-1, 1, 0, 0], [0, -1, 1, 0], [0, 0, -1, 0], [0, 0, 0, 2]]), defective=True)
    write_c_table('gen_sqrtm.py', 'sqrtm_ref_lines', out.getvalue())


def write_c_table(generator, name, text):
    """The text as a NULL-terminated C array of its lines, on stdout."""
    sys.stdout.write(f'/* Generated by tests/data/{generator}; do not edit. */\n')
    sys.stdout.write(f'static const char *const {name}[] = {{\n')
    for line in text.splitlines():
        sys.stdout.write(f'    "{line}",\n')
    sys.stdout.write('    NULL,\n};\n')


if __name__ == '__main__':
    main()
