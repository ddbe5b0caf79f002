"""Loading libmatfun and declaring its C ABI for ctypes.

Everything that mirrors a C declaration lives here: the library search, the
``mf_matrix`` descriptor and the option/info structs (field for field as in
``include/matfun/*.h``), the callback types, and one table of function
prototypes from which ``argtypes``/``restype`` are set.
"""

import ctypes
import ctypes.util
import glob
import os

__all__ = ["lib", "lib_path", "MfMatrix", "F64", "C128"]

F64 = 1
C128 = 2

# ---------------------------------------------------------------------------
# Finding the shared library
# ---------------------------------------------------------------------------

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _sanitized(path):
    """True for a library built with AddressSanitizer (or ThreadSanitizer).

    Loading one into an uninstrumented interpreter does not fail with an
    OSError: the sanitizer runtime ends the process. So such builds are
    recognized beforehand by the runtime they depend on.
    """
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return False
    return b"libasan.so" in data or b"libtsan.so" in data


def _candidates():
    """Where to look for the library, in order of preference."""
    env = os.environ.get("MATFUN_LIB")
    if env:
        # An explicit choice is final: no silent fallback to another build.
        return [env], True
    found = []
    for pattern in ("build*/libmatfun.so*", "build*/libmatfun.dylib", "build*/matfun.dll"):
        found += [p for p in glob.glob(os.path.join(_REPO, pattern)) if not _sanitized(p)]
    # The most recently built tree wins when there are several.
    found.sort(key=lambda p: os.path.getmtime(p), reverse=True)
    system = ctypes.util.find_library("matfun")
    if system:
        found.append(system)
    return found, False


def _load():
    paths, explicit = _candidates()
    if explicit and _sanitized(paths[0]) and "san" not in os.environ.get("LD_PRELOAD", ""):
        raise ImportError("MATFUN_LIB=%s is built with a sanitizer; it can only be loaded with "
                          "the sanitizer runtime in LD_PRELOAD" % paths[0])
    errors = []
    for path in paths:
        try:
            return ctypes.CDLL(path), path
        except OSError as exc:
            if explicit:
                raise ImportError("cannot load libmatfun from MATFUN_LIB=%s: %s" % (path, exc))
            errors.append("%s: %s" % (path, exc))
    raise ImportError(
        "libmatfun shared library not found: set MATFUN_LIB to its path, build it in "
        "a build*/ directory of the source tree, or install it system-wide"
        + ("" if not errors else " (tried: " + "; ".join(errors) + ")"))


lib, lib_path = _load()

# ---------------------------------------------------------------------------
# Structs (layouts fixed by the headers)
# ---------------------------------------------------------------------------


class MfMatrix(ctypes.Structure):
    """``mf_matrix``: element (i, j) at data + i*rs + j*cs elements."""
    _fields_ = [("data", ctypes.c_void_p), ("rows", ctypes.c_int64), ("cols", ctypes.c_int64),
                ("rs", ctypes.c_int64), ("cs", ctypes.c_int64), ("dtype", ctypes.c_int32),
                ("flags", ctypes.c_int32)]


assert ctypes.sizeof(MfMatrix) == 48


def _struct(name, fields):
    return type(name, (ctypes.Structure,), {"_fields_": fields})


_i32, _i64, _u64, _d = ctypes.c_int32, ctypes.c_int64, ctypes.c_uint64, ctypes.c_double

BackendInfo = _struct("BackendInfo", [
    ("blas_vendor", ctypes.c_char * 32), ("blas_version", ctypes.c_char * 128),
    ("core_name", ctypes.c_char * 32), ("cpu_best_core", ctypes.c_char * 32),
    ("num_threads", _i32), ("core_is_fallback", _i32), ("lapack_major", _i32),
    ("lapack_minor", _i32), ("lapack_patch", _i32), ("reserved", _i32)])
PolarInfo = _struct("PolarInfo", [("path", _i32), ("iterations", _i32), ("qr_iterations", _i32),
                                  ("reserved", _i32), ("cond_estimate", _d)])
ExpmOptions = _struct("ExpmOptions", [("scheme", _i32), ("structure", _i32),
                                      ("reserved", _i32 * 6)])
ExpmInfo = _struct("ExpmInfo", [("method", _i32), ("scheme", _i32), ("degree", _i32),
                                ("squarings", _i32), ("products", _i32), ("solves", _i32),
                                ("norm1", _d), ("eta", _d)])
FdOptions = _struct("FdOptions", [("method", _i32), ("reserved", _i32), ("rel_step", _d),
                                  ("f_noise", _d)])
FdInfo = _struct("FdInfo", [("evaluations", _i64), ("max_error", _d), ("step", _d)])
HvpOptions = _struct("HvpOptions", [("central", _i32), ("reserved", _i32), ("rel_step", _d)])
InertiaCounts = _struct("InertiaCounts", [("positive", _i64), ("negative", _i64),
                                          ("zero", _i64)])
InertiaOptions = _struct("InertiaOptions", [("method", _i32), ("reserved", _i32),
                                            ("rtol", _d), ("atol", _d)])
CriticalOptions = _struct("CriticalOptions", [("inertia", InertiaOptions), ("grad_tol", _d)])
CriticalInfo = _struct("CriticalInfo", [("kind", _i32), ("reserved", _i32),
                                        ("inertia", InertiaCounts), ("grad_norm", _d)])
NewtonOptions = _struct("NewtonOptions", [("method", _i32), ("max_attempts", _i32),
                                          ("beta", _d), ("delta", _d)])
NewtonInfo = _struct("NewtonInfo", [("modification", _i32), ("cholesky_attempts", _i32),
                                    ("shift", _d), ("min_eigenvalue", _d),
                                    ("predicted_decrease", _d)])
LanczosOptions = _struct("LanczosOptions", [("tol", _d), ("max_dim", _i64),
                                            ("max_restarts", _i64), ("seed", _u64)])
LanczosInfo = _struct("LanczosInfo", [("matvecs", _i64), ("restarts", _i64),
                                      ("krylov_dim", _i64), ("max_residual", _d)])
TraceOptions = _struct("TraceOptions", [("method", _i32), ("reserved", _i32),
                                        ("matvecs", _i64), ("seed", _u64)])
TraceInfo = _struct("TraceInfo", [("std_error", _d), ("matvecs", _i64), ("probes", _i64)])
SlqOptions = _struct("SlqOptions", [("probes", _i64), ("steps", _i64), ("seed", _u64)])

# ---------------------------------------------------------------------------
# Callback types. Pointer arguments are plain addresses (c_void_p arrives as
# an int or None), turned into NumPy arrays by the trampolines.
# ---------------------------------------------------------------------------

_vp, _int = ctypes.c_void_p, ctypes.c_int
APPLY_FN = ctypes.CFUNCTYPE(_int, _i64, _i64, _vp, _vp, _int, _vp)     # mf_apply_fn
SCALAR_FN = ctypes.CFUNCTYPE(_int, _i64, _vp, _int, _vp, _vp)          # mf_scalar_fn
OBJECTIVE_FN = ctypes.CFUNCTYPE(_int, _i64, _vp, _vp, _vp)             # mf_objective_fn
GRADIENT_FN = ctypes.CFUNCTYPE(_int, _i64, _vp, _vp, _vp)              # mf_gradient_fn
VECTOR_FN = ctypes.CFUNCTYPE(_int, _i64, _vp, _i64, _vp, _vp)          # mf_vector_fn
SYMOP_FN = ctypes.CFUNCTYPE(_int, _i64, _vp, _vp, _vp)                 # mf_symop_fn

# ---------------------------------------------------------------------------
# Prototypes: "return: argument, argument, ..." with the codes below.
# M = mf_matrix *, Ms = array of mf_matrix, p = void * / opaque pointer,
# pp = pointer to an opaque pointer, i = int, i32 = int32_t, i64 = int64_t,
# d = double, *64 = int64_t *, *d = double *, *S = pointer to a struct (any),
# s = status (int), cs = const char *, and the callback type names.
# ---------------------------------------------------------------------------

_CODES = {
    "M": ctypes.POINTER(MfMatrix), "Ms": ctypes.POINTER(MfMatrix), "p": _vp,
    "pp": ctypes.POINTER(_vp), "i": _int, "i32": _i32, "i64": _i64, "d": _d,
    "*64": ctypes.POINTER(_i64), "*d": ctypes.POINTER(_d), "*S": _vp, "*s": _vp,
    "s": _int, "cs": ctypes.c_char_p, "void": None, "apply": APPLY_FN, "scalar": SCALAR_FN,
    "objective": OBJECTIVE_FN, "gradient": GRADIENT_FN, "vector": VECTOR_FN, "symop": SYMOP_FN,
}

PROTOTYPES = """
mf_strerror: cs: i
mf_last_error: cs:
mf_version: cs:
mf_backend: s: *S
mf_lu: s: M, M, M, *64
mf_solve: s: M, M, M
mf_det: s: M, *d, *d
mf_logdet: s: M, *d, *d, *d
mf_inv: s: M, M
mf_rcond: s: M, i, *d
mf_cond: s: M, i, *d
mf_qr: s: M, M, M
mf_qr_pivoted: s: M, d, M, M, *64, *64
mf_cholesky: s: M, M
mf_svd: s: M, M, M, M
mf_polar_ex: s: M, M, M, *S
mf_eigh: s: M, M, M
mf_eigh_select: s: M, i, i64, d, d, M, M, *64
mf_eig_ex: s: M, M, M, M, M
mf_schur: s: M, M, M
mf_norm: s: M, i, *d
mf_normest1: s: M, i64, *d
mf_normest1_op: s: i64, i32, apply, p, i64, *d
mf_normest1_pow: s: M, i64, *d
mf_expm_ex: s: M, M, *S, *S
mf_expm_batch_strided: s: i64, M, i64, M, i64, *s, i32
mf_expm_frechet: s: M, M, M, M
mf_expm_cond: s: M, *d
mf_expm_multiply: s: M, M, d, M
mf_sqrtm_frechet: s: M, M, M, M
mf_sqrtm_cond: s: M, *d
mf_logm_frechet: s: M, M, M, M
mf_logm_cond: s: M, *d
mf_powm_cond: s: M, d, *d
mf_cossinm: s: M, M, M
mf_funm: s: M, scalar, p, M
mf_kron: s: M, M, M
mf_kronsum: s: M, M, M
mf_khatri_rao: s: M, M, M
mf_kron_matmul: s: M, M, M, M
mf_kron_matvec: s: i64, Ms, M, M
mf_kron_solve: s: M, M, M, M
mf_kronsum_solve: s: M, M, M, M
mf_kronsum_expm: s: M, M, M
mf_kronsum_expm_matmul: s: M, M, M, M
mf_kron_funm: s: M, M, scalar, p, M
mf_kronsum_funm: s: M, M, scalar, p, M
mf_kron_funm_matmul: s: M, M, scalar, p, M, M
mf_kronsum_funm_matmul: s: M, M, scalar, p, M, M
mf_sylvester: s: M, M, M, M
mf_lyapunov: s: M, M, M
mf_lyapunov_discrete: s: M, M, M
mf_fd_gradient_ex: s: objective, p, M, *S, M, M, *S
mf_fd_jacobian_ex: s: vector, p, M, *S, M, M, *S
mf_fd_hessian_ex: s: objective, p, M, *S, M, M, *S
mf_fd_hessian_from_gradient_ex: s: gradient, p, M, *S, M, M, *S
mf_hvp_operator_new: s: gradient, p, M, *S, pp
mf_hvp_operator_free: void: p
mf_hvp_operator_evaluations: i64: p
mf_hvp: s: gradient, p, M, M, M
mf_gauss_newton: s: M, M
mf_gn_operator_new: s: M, d, pp
mf_gn_operator_free: void: p
mf_inertia_ex: s: M, *S, *S
mf_classify_critical_point_ex: s: M, M, *S, *S
mf_newton_step_ex: s: M, M, *S, M, *S
mf_lanczos_ex: s: i64, symop, p, i, i64, *S, M, M, *S
mf_trace_estimate_ex: s: i64, symop, p, *S, *d, *S
mf_slq: s: i64, symop, p, *S, M, M, *64
mf_slq_density: s: M, M, d, M, M
"""


def declare(name, spec):
    """Set argtypes/restype of lib.<name> from a spec "ret: a, b, ..."."""
    ret, _, args = spec.partition(":")
    fn = getattr(lib, name)
    fn.restype = _CODES[ret.strip()]
    fn.argtypes = [_CODES[a.strip()] for a in args.split(",") if a.strip()]
    return fn


for _line in PROTOTYPES.strip().splitlines():
    _name, _, _spec = _line.partition(":")
    declare(_name.strip(), _spec)

# Ready-made C callbacks, passed straight back to the library (no Python in
# the loop): the scalar functions of mf_funm and the operator appliers.
NATIVE_SCALAR = {name: ctypes.cast(getattr(lib, "mf_scalar_" + name), SCALAR_FN)
                 for name in ("exp", "log", "cos", "sin", "cosh", "sinh", "sqrt")}
HVP_APPLY = ctypes.cast(lib.mf_hvp_apply, SYMOP_FN)
GN_APPLY = ctypes.cast(lib.mf_gn_apply, SYMOP_FN)
