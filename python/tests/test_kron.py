"""Kronecker products, structured solves, Sylvester and Lyapunov equations."""

import unittest

import helpers
from helpers import DTYPES, Case, needs_scipy, np, sl

import matfun


def vec(x):
    return x.reshape(-1, order="F")


class TestKron(Case):
    def test_products(self):
        for dt in DTYPES:
            a = helpers.rand((3, 4), dt, 1)
            b = helpers.rand((2, 5), dt, 2)
            for lay, x in helpers.layouts(a):
                with self.subTest(layout=lay, dtype=np.dtype(dt).name):
                    self.close(matfun.kron(x, b), np.kron(a, b), 1e-15)
                    self.close(matfun.kron(b, x), np.kron(b, a), 1e-15)

    def test_mixed_dtypes(self):
        a = helpers.rand((2, 2), np.float64, 3)
        b = helpers.rand((3, 3), np.complex128, 4)
        k = matfun.kron(a, b)
        self.assertEqual(k.dtype, np.complex128)
        self.close(k, np.kron(a, b), 1e-15)

    def test_kronsum(self):
        a, b = helpers.rand((3, 3), seed=5), helpers.rand((2, 2), seed=6)
        for lay, x in helpers.layouts(a):
            with self.subTest(layout=lay):
                self.close(matfun.kronsum(x, b), np.kron(a, np.eye(2)) + np.kron(np.eye(3), b),
                           1e-15)

    @needs_scipy
    def test_khatri_rao(self):
        for dt in DTYPES:
            a, b = helpers.rand((3, 4), dt, 7), helpers.rand((5, 4), dt, 8)
            for lay, x in helpers.layouts(a):
                with self.subTest(layout=lay, dtype=np.dtype(dt).name):
                    self.close(matfun.khatri_rao(x, b), sl.khatri_rao(a, b), 1e-15)

    def test_matmul_and_matvec(self):
        for dt in DTYPES:
            a, b = helpers.rand((3, 4), dt, 9), helpers.rand((2, 5), dt, 10)
            x = helpers.rand((5, 4), dt, 11)
            want = np.kron(a, b) @ vec(x)
            for lay, xx in helpers.layouts(x):
                with self.subTest(layout=lay, dtype=np.dtype(dt).name):
                    self.close(vec(matfun.kron_matmul(a, b, xx)), want, 1e-14)
            c = helpers.rand((2, 2), dt, 12)
            xs = helpers.rand((4 * 5 * 2, 3), dt, 13)
            self.close(matfun.kron_matvec([a, b, c], xs), np.kron(np.kron(a, b), c) @ xs, 1e-13)
            self.close(matfun.kron_matvec([a, b, c], xs[:, 0]),
                       np.kron(np.kron(a, b), c) @ xs[:, 0], 1e-13)

    def test_kron_solves(self):
        for dt in DTYPES:
            a = helpers.rand((3, 3), dt, 14) + 3 * np.eye(3)
            b = helpers.rand((4, 4), dt, 15) + 3 * np.eye(4)
            c = helpers.rand((4, 3), dt, 16)
            for lay, cc in helpers.layouts(c):
                with self.subTest(layout=lay, dtype=np.dtype(dt).name):
                    x = matfun.kron_solve(a, b, cc)
                    self.close(b @ x @ a.T, c, 1e-13)
                    x = matfun.kronsum_solve(a, b, cc)
                    self.close(b @ x + x @ a.T, c, 1e-13)
        with self.assertRaises(matfun.SingularError):
            matfun.kron_solve(np.zeros((2, 2)), np.eye(2), np.ones((2, 2)))

    @needs_scipy
    def test_kronsum_expm(self):
        for dt in DTYPES:
            a, b = helpers.rand((3, 3), dt, 21), helpers.rand((2, 2), dt, 22)
            x = helpers.rand((2, 3), dt, 23)
            big = sl.expm(np.kron(a, np.eye(2)) + np.kron(np.eye(3), b))
            for lay, aa in helpers.layouts(a):
                with self.subTest(layout=lay, dtype=np.dtype(dt).name):
                    self.close(matfun.kronsum_expm(aa, b), big, 1e-13)
                    self.close(vec(matfun.kronsum_expm_matmul(aa, b, x)), big @ vec(x), 1e-13)

    @needs_scipy
    def test_sylvester_lyapunov(self):
        for dt in DTYPES:
            a = helpers.rand((5, 5), dt, 17) - 4 * np.eye(5)
            b = helpers.rand((3, 3), dt, 18) - 4 * np.eye(3)
            c = helpers.rand((5, 3), dt, 19)
            q = helpers.rand((5, 5), dt, 20)
            q = q + q.conj().T
            x_syl = sl.solve_sylvester(a, b, c)
            x_ct = sl.solve_continuous_lyapunov(a, q)
            x_dt = sl.solve_discrete_lyapunov(a / 5, q)
            for lay, aa in helpers.layouts(a):
                with self.subTest(layout=lay, dtype=np.dtype(dt).name):
                    self.close(matfun.solve_sylvester(aa, b, c), x_syl, 1e-12)
                    self.close(matfun.solve_continuous_lyapunov(aa, q), x_ct, 1e-12)
                    self.close(matfun.solve_discrete_lyapunov(aa / 5, q), x_dt, 1e-12)
            x = matfun.lyapunov(a, q)
            self.close(x, x.conj().T, 0)  # exactly Hermitian for Hermitian q
        self.assertIs(matfun.sylvester, matfun.solve_sylvester)
        with self.assertRaises(matfun.SingularError):
            matfun.sylvester(np.eye(2), -np.eye(2), np.ones((2, 2)))


def kronsum(a, b):
    return np.kron(a, np.eye(b.shape[0])) + np.kron(np.eye(a.shape[0]), b)


def factor(kind, n, dt, seed):
    """A Hermitian (normal) or a general (non-normal) factor of norm about 1."""
    g = helpers.rand((n, n), dt, seed) / np.sqrt(n)
    return (g + g.conj().T) / 2 if kind == "hermitian" else g


class TestKronFunm(Case):
    KINDS = (("hermitian", "hermitian"), ("hermitian", "general"), ("general", "hermitian"),
             ("general", "general"))

    @needs_scipy
    def test_formed_and_applied_against_scipy(self):
        for dt in DTYPES:
            for s, (ka, kb) in enumerate(self.KINDS):
                a, b = factor(ka, 3, dt, 30 + s), factor(kb, 4, dt, 40 + s)
                x = helpers.rand((4, 3 * 2), dt, 50 + s)  # two blocks
                ek, ck = sl.expm(np.kron(a, b)), sl.cosm(kronsum(a, b))
                for lay, aa in helpers.layouts(a):
                    with self.subTest(layout=lay, dtype=np.dtype(dt).name, kinds=(ka, kb)):
                        self.close(matfun.kron_funm(aa, b, "exp"), ek, 1e-13)
                        self.close(matfun.kronsum_funm(aa, b, "cos"), ck, 1e-13)
                        y = matfun.kron_funm_matmul(aa, b, "exp", x)
                        self.assertEqual(y.shape, x.shape)
                        for k in range(2):
                            blk = slice(3 * k, 3 * k + 3)
                            self.close(vec(y[:, blk]), ek @ vec(x[:, blk]), 1e-13)
                        y = matfun.kronsum_funm_matmul(aa, b, "cos", x[:, :3])
                        self.close(vec(y), ck @ vec(x[:, :3]), 1e-13)
                self.assertEqual(matfun.kron_funm(a, b, "exp").dtype, np.dtype(dt))

    @needs_scipy
    def test_python_callable(self):
        a, b = factor("hermitian", 3, np.float64, 60), factor("general", 2, np.float64, 61)
        orders = set()

        def f(z, k):
            orders.add(k)
            return np.exp(z)
        self.close(matfun.kron_funm(a, b, f), sl.expm(np.kron(a, b)), 1e-13)
        self.assertIn(0, orders)

        def boom(z, k):
            raise KeyError("from f")
        with self.assertRaises(KeyError):
            matfun.kronsum_funm_matmul(a, b, boom, np.ones((2, 3)))
        with self.assertRaises(ValueError):
            matfun.kron_funm(a, b, "tan")

    @needs_scipy
    def test_real_or_complex_result(self):
        a, b = np.diag([-2.0, 3.0]), np.array([[1.0, 0.5], [0.0, 2.0]])
        lg = matfun.kron_funm(a, b, "log")  # a negative eigenvalue product: complex
        self.assertEqual(lg.dtype, np.complex128)
        self.close(lg, sl.logm(np.kron(a, b)), 1e-13)
        with self.assertRaises(matfun.NotRealError):
            matfun.kron_funm(a, b, "log", complex_result=False)
        with self.assertRaises(matfun.NotRealError):
            matfun.kron_funm_matmul(a, b, "log", np.ones((2, 2)), complex_result=False)
        self.assertEqual(matfun.kronsum_funm(-a, b, "sqrt", complex_result=True).dtype,
                         np.complex128)
        sq = matfun.kronsum_funm(np.diag([2.0, 3.0]), b, "sqrt")
        self.assertEqual(sq.dtype, np.float64)
        self.close(sq @ sq, kronsum(np.diag([2.0, 3.0]), b), 1e-13)
        with self.assertRaises(matfun.DimensionError):
            matfun.kron_funm_matmul(a, b, "exp", np.ones((2, 3)))


if __name__ == "__main__":
    unittest.main()
