"""NumPy arrays <-> mf_matrix descriptors, outputs, calls and callbacks.

Inputs are described in place whenever the library can read them as they
are: float64 or complex128 in native byte order, aligned, with strides that
are positive multiples of the item size (C order, Fortran order, transposes,
sub-blocks and strided slices such as ``a[::2, ::3]`` all qualify). Anything
else -- negative strides (``a[::-1]``), zero strides (``np.broadcast_to``),
strides that are not a multiple of the item size (a field of a structured
array), unaligned or byte-swapped data, other dtypes -- is copied first.
Copying was chosen over refusing: the result is the same, only slower.
"""

import ctypes

import numpy as np

from . import _lib, errors
from ._lib import C128, F64, MfMatrix

_F8 = np.dtype(np.float64)
_C16 = np.dtype(np.complex128)


def _coerce(a, name):
    """float64/complex128 array from anything array-like (no copy if already one)."""
    a = np.asarray(a)
    dt = a.dtype
    if dt == _F8 or dt == _C16:
        return a
    if dt.kind == "c":
        return a.astype(np.complex128)
    if dt.kind in "biuf":
        return a.astype(np.float64)
    raise TypeError("%s: unsupported dtype %s (expected real or complex numbers)" % (name, dt))


def _strides_ok(a):
    item = a.itemsize
    if not a.flags.aligned:
        return False
    for n, s in zip(a.shape, a.strides):
        if n > 1 and (s <= 0 or s % item != 0):
            return False
    return True


def describe(a):
    """mf_matrix over the memory of a 2-D float64/complex128 array (no copy).

    The array must satisfy the stride rule (see the module docstring). A
    dimension of length 0 or 1 has no meaningful stride in NumPy; the
    descriptor gets one that the library accepts.
    """
    rows, cols = a.shape
    item = a.itemsize
    rs, cs = a.strides[0] // item, a.strides[1] // item
    if rows * cols == 0 or (rows <= 1 and cols <= 1):
        rs, cs = 1, max(rows, 1)
    elif rows == 1:
        rs = cols * cs
    elif cols == 1:
        cs = rows * rs
    return MfMatrix(a.ctypes.data if a.size else None, rows, cols, rs, cs,
                    C128 if a.dtype == _C16 else F64, 0)


def matrix(a, name="a", vector=False):
    """(array, descriptor) for an input.

    ``vector=True`` accepts a 1-D array, described as an n x 1 column; 2-D
    arrays are always taken as they are. Copies only when the array cannot
    be described in place.
    """
    a = _coerce(a, name)
    if a.ndim == 1 and vector:
        a = a[:, np.newaxis]
    if a.ndim != 2:
        raise ValueError("%s: expected a %s array, got %d dimension(s)"
                         % (name, "1-D or 2-D" if vector else "2-D", a.ndim))
    if not (a.dtype.isnative and _strides_ok(a)):
        a = np.array(a, order="F", copy=True)
    return a, describe(a)


def square(a, name="a"):
    a, m = matrix(a, name)
    if a.shape[0] != a.shape[1]:
        raise errors.DimensionError("%s must be square, got %d x %d" % (name, *a.shape))
    return a, m


def output(rows, cols, dtype):
    """A fresh Fortran-order output (column-major, as LAPACK likes it)."""
    out = np.empty((rows, cols), dtype=dtype, order="F")
    return out, describe(out)


def result_dtype(*arrays):
    """complex128 if any input is complex, else float64."""
    return _C16 if any(x.dtype == _C16 for x in arrays) else _F8


def ref(m):
    """Pointer to a descriptor, or None for an omitted optional argument."""
    return None if m is None else ctypes.byref(m)


def call(fn, *args):
    """Call a C function returning mf_status and raise on failure."""
    errors.check(fn(*args))


# ---------------------------------------------------------------------------
# Callbacks
# ---------------------------------------------------------------------------


def doubles(addr, count):
    """A NumPy view of `count` doubles at a C address (valid during the callback only)."""
    if count == 0 or not addr:
        return np.empty(0)
    return np.ctypeslib.as_array((ctypes.c_double * count).from_address(addr))


class CallbackContext:
    """Per-call state of Python callbacks handed to the library.

    Each trampoline catches any exception of the user's function, stores the
    first one here and returns nonzero, which makes the library stop with
    MF_ECALLBACK (or another failure status) and write nothing. After the C
    call, :meth:`call` re-raises the stored exception itself, so the user
    sees their own error with its traceback. Callback inputs are copies: the
    user function may keep them.
    """

    def __init__(self, fname):
        self.fname = fname
        self.exc = None
        self.keep = []  # the CFUNCTYPE objects must outlive the C call
        self.children = []

    def wrap(self, ctype, body):
        def trampoline(*args):
            if self.exc is not None:  # already failing: stop quickly
                return 1
            try:
                body(*args)
                return 0
            except BaseException as exc:  # noqa: B902 -- KeyboardInterrupt too
                self.exc = exc
                return 1

        cfn = ctype(trampoline)
        self.keep.append(cfn)
        return cfn

    def call(self, fn, *args):
        """Call a C function that may run our callbacks, then :meth:`finish`."""
        self.finish(fn(*args))

    def finish(self, status):
        """Re-raise a stored callback exception (ours or a child's), else check status.

        Children are the contexts of longer-lived objects whose callbacks run
        inside this call (an HVPOperator's gradient inside Lanczos).
        """
        for c in [self] + [c for c in self.children if c is not None]:
            exc, c.exc = c.exc, None
            if exc is not None:
                if hasattr(exc, "add_note"):
                    exc.add_note("(raised in a callback of %s, which returned %s)"
                                 % (self.fname, errors.STATUS_NAMES.get(status, status)))
                raise exc
        errors.check(status)


def store(addr, count, values, what, dtype=np.float64):
    """Write a callback's result into the library's output buffer, checking its size."""
    values = np.asarray(values, dtype=dtype)
    if values.ndim == 0:
        values = np.full(count, values, dtype=dtype)
    if values.size != count:
        raise ValueError("%s returned %d value(s); expected %d" % (what, values.size, count))
    if count:
        if dtype == np.complex128:
            doubles(addr, 2 * count)[:] = values.reshape(-1).view(np.float64)
        else:
            doubles(addr, count)[:] = values.reshape(-1)



def scalar_callback(f, fname, pyname):
    """(C callback, CallbackContext or None) for the scalar function f of
    mf_funm-like calls: the name of a ready C implementation ('exp', 'log',
    'cos', 'sin', 'cosh', 'sinh', 'sqrt') or a callable f(z, k) giving the
    k-th derivative at the complex points z. fname names the C function in
    re-raised callback errors, pyname the Python one in messages."""
    if isinstance(f, str):
        try:
            return _lib.NATIVE_SCALAR[f], None
        except KeyError:
            raise ValueError("%s: unknown function %r (ready ones: %s)"
                             % (pyname, f, ", ".join(_lib.NATIVE_SCALAR))) from None
    if not callable(f):
        raise TypeError("%s: f must be a callable f(z, k) or a name" % pyname)
    ctx = CallbackContext(fname)

    def body(npts, z_addr, order, out_addr, _ctx):
        z = doubles(z_addr, 2 * npts).view(np.complex128).copy()
        store(out_addr, npts, f(z, order), pyname + ": f", np.complex128)

    return ctx.wrap(_lib.SCALAR_FN, body), ctx


def real_or_complex(run, complex_input, complex_result):
    """run(dtype) -> result, with the rule for results that may be complex
    for real input: complex input or complex_result=True gives complex128;
    otherwise float64 is tried first, and on MF_ENOTREAL complex128 unless
    complex_result is False (then NotRealError propagates)."""
    if complex_input or complex_result:
        return run(_C16)
    try:
        return run(_F8)
    except errors.NotRealError:
        if complex_result is not None:
            raise
        return run(_C16)
