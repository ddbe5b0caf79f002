#!/usr/bin/python3
"""Compare mf_sqrtm / mf_signm with SciPy's scipy.linalg.sqrtm / signm.

Both run in this one process on the same OpenBLAS, interleaved round by
round (median of --reps rounds), so machine load affects both alike.
Accuracy is printed next to the time so a fast wrong answer is visible:
sqrtm ||S^2 - A||_F / ||A||_F, signm ||S^2 - I||_F / ||S||_F^2.

Usage (from the repository root, after building into build/):
  OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=2 \\
      /usr/bin/python3 bench/compare_scipy_sqrtm.py [--n 512] [--reps 5] [--lib build/libmatfun.so]
On a machine busy with other jobs, OPENBLAS_NUM_THREADS=1 with --cpu-time
counts only the time each call ran.
Inputs: Gaussian A (seeded) shifted by (1.5 sqrt(n) + 1) I for sqrtm (a real
principal root; not symmetric); plain Gaussian A for signm.
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
    item = a.itemsize // (16 if a.dtype == np.complex128 else 8)
    assert item == 1
    es = a.itemsize
    return MfMatrix(a.ctypes.data, a.shape[0], a.shape[1], a.strides[0] // es, a.strides[1] // es,
                    2 if a.dtype == np.complex128 else 1, 0)


def load(path):
    lib = ctypes.CDLL(path)
    for name in ('mf_sqrtm', 'mf_signm'):
        f = getattr(lib, name)
        f.argtypes = [ctypes.POINTER(MfMatrix), ctypes.POINTER(MfMatrix)]
        f.restype = ctypes.c_int
    lib.mf_last_error.restype = ctypes.c_char_p
    return lib


def ours(lib, name, a):
    s = np.empty_like(a, order='F')
    av, sv = view(a), view(s)
    st = getattr(lib, name)(ctypes.byref(av), ctypes.byref(sv))
    if st != 0:
        raise RuntimeError(lib.mf_last_error().decode())
    return s


def theirs(name, a):
    if name == 'mf_sqrtm':
        r = scipy.linalg.sqrtm(a)
        return r[0] if isinstance(r, tuple) else r
    return scipy.linalg.signm(a)


def accuracy(name, a, s):
    if name == 'mf_sqrtm':
        return np.linalg.norm(s @ s - a) / np.linalg.norm(a)
    n = a.shape[0]
    return np.linalg.norm(s @ s - np.eye(n)) / np.linalg.norm(s) ** 2


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
    rng = np.random.default_rng(20240)
    a_sqrt = np.asfortranarray(rng.standard_normal((n, n)) + (1.5 * np.sqrt(n) + 1) * np.eye(n))
    a_sign = np.asfortranarray(rng.standard_normal((n, n)))
    print(f'SciPy {scipy.__version__}, NumPy {np.__version__}, n = {n}, {args.reps} rounds, '
          f'{"CPU" if args.cpu_time else "wall-clock"} time, load average {os.getloadavg()[0]:.2f}')
    print(f'{"function":10} {"ours s":>10} {"scipy s":>10} {"speedup":>8} '
          f'{"ours acc":>10} {"scipy acc":>10}')
    for name, a in (('mf_sqrtm', a_sqrt), ('mf_signm', a_sign)):
        to, ts = [], []
        so = ss = None
        for _ in range(args.reps):
            t0 = clock()
            so = ours(lib, name, a)
            t1 = clock()
            ss = theirs(name, a)
            t2 = clock()
            to.append(t1 - t0)
            ts.append(t2 - t1)
        mo, ms = float(np.median(to)), float(np.median(ts))
        print(f'{name:10} {mo:10.4f} {ms:10.4f} {ms / mo:8.2f} '
              f'{accuracy(name, a, so):10.2e} {accuracy(name, a, ss):10.2e}')


if __name__ == '__main__':
    main()
