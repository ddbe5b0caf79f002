#!/usr/bin/python3
"""Compare mf_sqrtm / mf_signm with SciPy's scipy.linalg.sqrtm / signm.

Both run in this one process on the same OpenBLAS, interleaved round by
round (the order alternating), so machine load affects both alike; an
n x n dgemm (numpy.dot) is timed in the same rounds as the yardstick, so
every time is also given in GEMM-equivalents. Reported per function and n:
median and best seconds, GEMM-equivalents, the speed-up SciPy / libmatfun
(medians and best times), and accuracy next to it so a fast wrong answer
is visible:
  sqrtm  res = ||S^2 - A||_F / ||A||_F,
  signm  res = ||S^2 - I||_F / ||S||_F^2,
         comm = ||A S - S A||_F / (||A||_F ||S||_F) and
         trace-err = |trace S - (#(Re lambda > 0) - #(Re lambda < 0))|, the
         eigenvalues from numpy.linalg.eigvals (nonzero: some eigenvalue
         was given the wrong sign).
With --refs, both libraries also run on the committed high-precision
references (tests/data/sqrtm_ref.h, iterations_ref.h: mpmath, 60 digits)
and the relative errors ||S - F||_F / ||F||_F are printed per case.

Usage (from the repository root, after building into build-bench/):
  OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=2 \\
      /usr/bin/python3 bench/compare_scipy_sqrtm.py [--n 256,512] [--reps 5]
          [--only sqrtm|signm] [--refs] [--lib build-bench/libmatfun.so]
Inputs: Gaussian A (seeded) shifted by (1.5 sqrt(n) + 1) I for sqrtm (a real
principal root; not symmetric; mf_sqrtm takes its iterative path); for
signm a plain Gaussian A (eigenvalues on both sides of the imaginary axis,
kappa_1 ~ 1e4-1e6: mf_signm's Schur method) and a well-conditioned one,
diag(+-(1 + i/n)) + 0.3 G / sqrt(n) (kappa_1 ~ 10: the Newton route).
"""
import argparse
import ctypes
import datetime
import os
import re
import statistics
import time
import warnings

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
    for name in ('mf_sqrtm', 'mf_signm'):
        f = getattr(lib, name)
        f.argtypes = [ctypes.POINTER(MfMatrix), ctypes.POINTER(MfMatrix)]
        f.restype = ctypes.c_int
    lib.mf_last_error.restype = ctypes.c_char_p
    return lib


def ours(lib, name, a, out_dtype=None):
    s = np.empty(a.shape, dtype=out_dtype or a.dtype, order='F')
    av, sv = view(a), view(s)
    st = getattr(lib, name)(ctypes.byref(av), ctypes.byref(sv))
    if st != 0:
        raise RuntimeError(lib.mf_last_error().decode())
    return s


def theirs(name, a):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # signm: "result may be inaccurate"
        if name == 'mf_sqrtm':
            r = scipy.linalg.sqrtm(a)
        else:
            r = scipy.linalg.signm(a, disp=False)
    return r[0] if isinstance(r, tuple) else r


def accuracy(name, a, s):
    fro = np.linalg.norm
    if name == 'mf_sqrtm':
        return f'res {fro(s @ s - a) / fro(a):.2e}'
    n = a.shape[0]
    # trace(sign(A)) = #(Re lambda > 0) - #(Re lambda < 0): a wrong sign shows here
    signs = np.sign(np.linalg.eigvals(a).real).sum()
    return (f'res {fro(s @ s - np.eye(n)) / fro(s) ** 2:.2e} '
            f'comm {fro(a @ s - s @ a) / (fro(a) * fro(s)):.2e} '
            f'trace-err {abs(np.trace(s) - signs):.1e}')


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def compare(lib, name, a, reps):
    """Interleaved rounds of (dgemm, ours, SciPy); returns times and results."""
    times = {'gemm': [], 'ours': [], 'scipy': []}
    b = np.asfortranarray(np.random.default_rng(1).standard_normal(a.shape))
    so = ss = None
    for k in range(reps):
        order = ('gemm', 'ours', 'scipy') if k % 2 == 0 else ('scipy', 'ours', 'gemm')
        for who in order:
            if who == 'gemm':
                t, _ = timed(np.dot, b, b)
            elif who == 'ours':
                t, so = timed(ours, lib, name, a)
            else:
                t, ss = timed(theirs, name, a)
            times[who].append(t)
    return times, so, ss


def read_refs(path):
    """Cases of a tests/data/*ref.h table: (name, func, A, F)."""
    lines = re.findall(r'"(.*)"', open(path).read())
    cases, c, k = [], None, 0
    while k < len(lines):
        words = lines[k].split()
        k += 1
        if not words or words[0].startswith('#'):
            continue
        if words[0] == 'case':
            c = {'name': words[1]}
        elif words[0] in ('func', 'input'):
            c[words[0]] = words[1]
        elif words[0] == 'n':
            c['n'] = int(words[1])
        elif words[0] in ('A', 'F'):
            n = c['n']
            vals = []
            for line in lines[k:k + n * n]:
                re_s, im_s = line.split()
                parse = float.fromhex if words[0] == 'A' else float
                vals.append(complex(parse(re_s), parse(im_s)))
            k += n * n
            m = np.array(vals).reshape((n, n), order='F')
            c[words[0]] = m.real.copy(order='F') if words[0] == 'A' and c['input'] == 'F64' else m
        elif words[0] == 'end':
            cases.append(c)
    return cases


def reference_errors(lib):
    print('\nagainst the high-precision references: ||S - F||_F / ||F||_F')
    print(f'{"case":28} {"func":6} {"n":>3} {"libmatfun":>10} {"SciPy":>10}')
    for path in ('tests/data/sqrtm_ref.h', 'tests/data/iterations_ref.h'):
        for c in read_refs(path):
            name = 'mf_' + c['func']
            f = c['F']
            errs = []
            for fn in (lambda a: ours(lib, name, a, np.complex128), lambda a: theirs(name, a)):
                try:
                    s = fn(c['A'])
                    errs.append(f'{np.linalg.norm(s - f) / np.linalg.norm(f):10.2e}')
                except (RuntimeError, ValueError, np.linalg.LinAlgError) as e:
                    errs.append(f'{"failed":>10}')
                    print(f'  ({e})')
            print(f'{c["name"]:28} {c["func"]:6} {c["n"]:3d} {errs[0]} {errs[1]}')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('--n', default='512', help='comma-separated sizes')
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--only', choices=('sqrtm', 'signm'), default=None)
    p.add_argument('--refs', action='store_true')
    p.add_argument('--lib', default='build-bench/libmatfun.so')
    args = p.parse_args()
    lib = load(args.lib)
    started = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    print(f'SciPy {scipy.__version__}, NumPy {np.__version__}; {started}; '
          f'OPENBLAS_CORETYPE={os.environ.get("OPENBLAS_CORETYPE", "-")}, '
          f'OPENBLAS_NUM_THREADS={os.environ.get("OPENBLAS_NUM_THREADS", "-")}; '
          f'load average {os.getloadavg()[0]:.1f}; {args.reps} interleaved rounds')
    print(f'{"function":13} {"n":>5} {"gemm s":>9} {"ours s":>9} {"(best)":>9} {"ours GE":>8} '
          f'{"scipy s":>9} {"(best)":>9} {"scipy GE":>9} {"speedup":>8} {"(best)":>7}  accuracy')
    kinds = [('mf_sqrtm', ''), ('mf_signm', ''), ('mf_signm', 'well')]
    for n in (int(x) for x in args.n.split(',')):
        rng = np.random.default_rng(20240)
        d = np.where(np.arange(n) % 2, -1.0, 1.0) * (1.0 + np.arange(n) / n)
        inputs = {'mf_sqrtm': np.asfortranarray(rng.standard_normal((n, n)) +
                                                (1.5 * np.sqrt(n) + 1) * np.eye(n)),
                  'mf_signm': np.asfortranarray(rng.standard_normal((n, n))),
                  'mf_signm well': np.asfortranarray(np.diag(d) + 0.3 / np.sqrt(n) *
                                                     rng.standard_normal((n, n)))}
        for name, kind in kinds:
            if args.only is not None and name != 'mf_' + args.only:
                continue
            a = inputs[(name + ' ' + kind).strip()]
            t, so, ss = compare(lib, name, a, args.reps)
            med = {k: statistics.median(v) for k, v in t.items()}
            best = {k: min(v) for k, v in t.items()}
            print(f'{(name + " " + kind).strip():13} {n:5d} {med["gemm"]:9.2e} {med["ours"]:9.3e} {best["ours"]:9.3e} '
                  f'{med["ours"] / med["gemm"]:8.1f} {med["scipy"]:9.3e} {best["scipy"]:9.3e} '
                  f'{med["scipy"] / med["gemm"]:9.1f} {med["scipy"] / med["ours"]:8.2f} '
                  f'{best["scipy"] / best["ours"]:7.2f}  ours {accuracy(name, a, so)}; '
                  f'SciPy {accuracy(name, a, ss)}', flush=True)
    print(f'load average at the end {os.getloadavg()[0]:.1f}')
    if args.refs:
        reference_errors(lib)


if __name__ == '__main__':
    main()
