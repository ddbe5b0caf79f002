#!/usr/bin/python3
"""Compare mf_logm / mf_powm with SciPy's scipy.linalg.logm /
fractional_matrix_power.

Both run in this one process on the same OpenBLAS, interleaved round by
round (median of --reps rounds), so machine load affects both alike.
Accuracy is printed next to the time so a fast wrong answer is visible:
logm ||expm(L) - A||_F / ||A||_F (expm by SciPy), powm(A, 1/3)
||X^3 - A||_F / ||A||_F, powm(A, -1/4) ||X^4 A - I||_F / cond_2(A),
powm(A, 0.37) ||A^0.37 A^0.63 - A||_F / ||A||_F with both powers from the
same library (an identity each, not the difference between the two
results).

Usage (from the repository root, after building into build/):
  OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=2 \\
      /usr/bin/python3 bench/compare_scipy_logm.py [--n 512] [--reps 5] [--lib build/libmatfun.so]
On a machine busy with other jobs, OPENBLAS_NUM_THREADS=1 with --cpu-time
counts only the time each call ran.
Inputs: Gaussian A (seeded) shifted by (1.5 sqrt(n) + 1) I (real results,
not symmetric; its Hermitian part is positive definite, so mf_powm takes
its GEMM-rich path for p = 1/3 and -1/4; p = 0.37 is not of the form 1/q
and takes the Schur-Pade route), and the same A as C128.
"""
import argparse
import ctypes
import os
import time

import numpy as np
import scipy
import scipy.linalg


class MfMatrix(ctypes.Structure):
    _fields_ = [('data', ctypes.c_void_p), ('rows', ctypes.c_int64), ('cols', ctypes.c_int64),
                ('rs', ctypes.c_int64), ('cs', ctypes.c_int64), ('dtype', ctypes.c_int32),
                ('flags', ctypes.c_int32)]


def view(a):
    """Descriptor of a NumPy array (any order), F64 or C128."""
    es = a.itemsize
    return MfMatrix(a.ctypes.data, a.shape[0], a.shape[1], a.strides[0] // es, a.strides[1] // es,
                    2 if a.dtype == np.complex128 else 1, 0)


def load(path):
    lib = ctypes.CDLL(path)
    lib.mf_logm.argtypes = [ctypes.POINTER(MfMatrix), ctypes.POINTER(MfMatrix)]
    lib.mf_powm.argtypes = [ctypes.POINTER(MfMatrix), ctypes.c_double, ctypes.POINTER(MfMatrix)]
    lib.mf_logm.restype = lib.mf_powm.restype = ctypes.c_int
    lib.mf_last_error.restype = ctypes.c_char_p
    return lib


POWERS = {'powm(A,1/3)': 1.0 / 3.0, 'powm(A,-1/4)': -0.25, 'powm(A,0.37)': 0.37}


def ours(lib, name, a):
    x = np.empty_like(a, order='F')
    av, xv = view(a), view(x)
    st = lib.mf_logm(ctypes.byref(av), ctypes.byref(xv)) if name == 'logm' else \
        lib.mf_powm(ctypes.byref(av), POWERS[name], ctypes.byref(xv))
    if st != 0:
        raise RuntimeError(lib.mf_last_error().decode())
    return x


def ours_power(lib, a, p):
    x = np.empty_like(a, order='F')
    av, xv = view(a), view(x)
    if lib.mf_powm(ctypes.byref(av), p, ctypes.byref(xv)) != 0:
        raise RuntimeError(lib.mf_last_error().decode())
    return x


def theirs(name, a):
    if name == 'logm':
        r = scipy.linalg.logm(a, disp=False)
        return r[0]
    return scipy.linalg.fractional_matrix_power(a, POWERS[name])


def accuracy(name, a, x, power):
    """An identity per function; power(a, p) is the same library's powm."""
    if name == 'logm':
        return np.linalg.norm(scipy.linalg.expm(x) - a) / np.linalg.norm(a)
    if name == 'powm(A,1/3)':
        return np.linalg.norm(x @ x @ x - a) / np.linalg.norm(a)
    if name == 'powm(A,0.37)':  # A^0.37 A^0.63 = A
        return np.linalg.norm(x @ power(a, 0.63) - a) / np.linalg.norm(a)
    x2 = x @ x
    return np.linalg.norm(x2 @ x2 @ a - np.eye(a.shape[0])) / np.linalg.cond(a)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('--n', type=int, default=512)
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--lib', default='build/libmatfun.so')
    p.add_argument('--cpu-time', action='store_true',
                   help='time with process CPU time (use with OPENBLAS_NUM_THREADS=1 on a busy machine)')
    args = p.parse_args()
    clock = time.process_time if args.cpu_time else time.perf_counter
    lib = load(args.lib)
    n = args.n
    rng = np.random.default_rng(20241)
    a = np.asfortranarray(rng.standard_normal((n, n)) + (1.5 * np.sqrt(n) + 1) * np.eye(n))
    print(f'SciPy {scipy.__version__}, NumPy {np.__version__}, n = {n}, {args.reps} rounds, '
          f'{"CPU" if args.cpu_time else "wall-clock"} time, load average {os.getloadavg()[0]:.2f}')
    print(f'{"function":15} {"dtype":6} {"ours s":>9} {"scipy s":>9} {"speedup":>8} '
          f'{"ours acc":>10} {"scipy acc":>10}')
    for name in ('logm', 'powm(A,1/3)', 'powm(A,-1/4)', 'powm(A,0.37)'):
        for dt in (np.float64, np.complex128):
            b = np.asfortranarray(a.astype(dt))
            to, ts = [], []
            xo = xs = None
            for _ in range(args.reps):
                t0 = clock()
                xo = ours(lib, name, b)
                t1 = clock()
                xs = theirs(name, b)
                t2 = clock()
                to.append(t1 - t0)
                ts.append(t2 - t1)
            mo, ms = float(np.median(to)), float(np.median(ts))
            print(f'{name:15} {"F64" if dt == np.float64 else "C128":6} {mo:9.4f} {ms:9.4f} '
                  f'{ms / mo:8.2f} {accuracy(name, b, xo, lambda m, q: ours_power(lib, m, q)):10.2e} '
                  f'{accuracy(name, b, xs, scipy.linalg.fractional_matrix_power):10.2e}')


if __name__ == '__main__':
    main()
