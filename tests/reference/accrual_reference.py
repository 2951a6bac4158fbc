"""Reference values for the Gamma–Poisson accrual model, computed independently of
exitanalysis and of scipy: mpmath at 50 significant digits, summing negative binomial
probabilities term by term and solving the regularised incomplete beta function by root
finding.

The cases are the examples of the R package accrual (Jiang et al. 2016, Trials 17:336; CRAN
'accrual', R/accrual.n.inform.R and R/accrual.T.inform.R, whose first list elements are exact
quantiles) and the shape example of CONTRACT §4. R itself is not reachable from this machine
(CRAN is blocked), so the values below are the same formulas evaluated in high precision.

Run ``.venv/bin/python tests/reference/accrual_reference.py`` to print the values that
tests/test_recruitment.py holds.
"""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 50


def nb_pmf(x: int, r: mp.mpf, p: mp.mpf) -> mp.mpf:
    """NegBin(size r, prob p) at x failures (R's dnbinom)."""
    return mp.exp(mp.loggamma(r + x) - mp.loggamma(r) - mp.loggamma(x + 1)
                  + r * mp.log(p) + x * mp.log(1 - p))


def nb_quantile(q: float, r: mp.mpf, p: mp.mpf) -> int:
    """Smallest x with P(X <= x) >= q (R's qnbinom)."""
    total, x = mp.mpf(0), 0
    while True:
        total += nb_pmf(x, r, p)
        if total >= q:
            return x
        x += 1


def nb_upper_tail(j: int, r: mp.mpf, p: mp.mpf, terms: int = 20000) -> mp.mpf:
    """P(X >= j) by direct summation of the tail."""
    return mp.fsum(nb_pmf(x, r, p) for x in range(j, j + terms))


def beta_quantile(q: float, a: mp.mpf, b: mp.mpf) -> mp.mpf:
    """x with I_x(a, b) = q (R's qbeta), by bisection."""
    lo, hi = mp.mpf(0), mp.mpf(1)
    for _ in range(200):
        mid = (lo + hi) / 2
        if mp.betainc(a, b, 0, mid, regularized=True) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def main() -> None:
    # accrual.n.inform(n=300, TT=36, P=0.5, m=100, tm=10, Tp=36)[[1]]
    n, T, P, m, tm, Tp = 300, 36, mp.mpf("0.5"), 100, 10, 36
    r, prob = n * P + m, (T * P + tm) / (T * P + Tp)
    print("n.inform", [nb_quantile(q, r, prob) + m for q in (0.025, 0.5, 0.975)])
    # accrual.T.inform(n=300, TT=36, P=0.5, m=100, tm=10, np=300)[[1]]
    times = []
    for q in (0.025, 0.5, 0.975):
        qb = beta_quantile(q, mp.mpf(n - m), n * P + m)
        times.append(mp.nstr((T * P + tm) * qb / (1 - qb) + tm, 15))
    print("T.inform", times)
    # CONTRACT §4 shape example: n=465, T=48, t=24, m=64, P=0.5
    a, b = 465 * P + 64, 48 * P + 24
    print("contract p_reach", mp.nstr(nb_upper_tail(465 - 64, a, b / (b + 24)), 15))
    print("contract final quantiles",
          [nb_quantile(q, a, b / (b + 24)) + 64 for q in (0.025, 0.05, 0.5, 0.95, 0.975)])
    contract_times = []
    for q in (0.025, 0.5, 0.975):
        qb = beta_quantile(q, mp.mpf(465 - 64), a)
        contract_times.append(mp.nstr(b * qb / (1 - qb) + 24, 15))
    print("contract time quantiles", contract_times)
    # hedging: the weights of accrual.T.hedging's grid, then the exact mixture
    grid = [mp.mpf(i) / 1000 for i in range(1, 1001)]
    log_like = [n * g * mp.log(T * g) + mp.loggamma(n * g + m) - (n * g + m) * mp.log(T * g + tm)
                - mp.loggamma(n * g) for g in grid]
    top = max(log_like)
    weights = [mp.exp(v - top) for v in log_like]
    total = mp.fsum(weights)
    weights = [w / total for w in weights]
    mean_p = mp.fsum(w * g for w, g in zip(weights, grid, strict=True))
    print("hedging posterior mean P", mp.nstr(mean_p, 15))
    p_reach = mp.fsum(w * nb_upper_tail(n - m, n * g + m, (T * g + tm) / (T * g + Tp), 3000)
                      for w, g in zip(weights, grid, strict=True) if w > mp.mpf("1e-14"))
    print("hedging p_reach at Tp=36", mp.nstr(p_reach, 15))


if __name__ == "__main__":
    main()
