# Reference values for tests/test_rates.py from MASS's own quine data and glm.nb (Venables &
# Ripley, MASS), to check (1) that rates_quine.csv is MASS::quine, (2) the published R output
# quoted in rates_quine.md, and (3) the values nothing published gives: the profile-likelihood
# interval of alpha = 1/theta and the likelihood-ratio test of alpha = 0.
# Run (R 4.2.2, MASS 7.3-58.2 from Debian bookworm):
#   cd tests/reference && Rscript rates_quine.R
library(MASS)
options(digits = 10)

file <- read.csv("rates_quine.csv", stringsAsFactors = TRUE)
cat("rates_quine.csv is MASS::quine:", isTRUE(all.equal(file, quine, check.attributes = FALSE)),
    "\n")

show <- function(fit) {
  s <- summary(fit)
  print(s$coefficients[, 1:2])
  cat("theta", fit$theta, "SE", fit$SE.theta, "twologlik", fit$twologlik, "\n")
}
full <- glm.nb(Days ~ Sex + Eth + Age + Lrn, data = quine)
show(full)
chosen <- glm.nb(Days ~ Eth + Age + Lrn, data = quine)
show(chosen)

quasi <- glm(Days ~ ., family = quasipoisson, data = quine)
print(summary(quasi)$coefficients)
cat("quasi-Poisson dispersion", summary(quasi)$dispersion, "\n")

# alpha = 1/theta: profile-likelihood interval (beta re-estimated by glm at each fixed theta)
# and the boundary likelihood-ratio test of alpha = 0 (half the chi-square(1) tail).
profile_interval <- function(fit, level = 0.95) {
  top <- as.numeric(logLik(fit))
  crit <- qchisq(level, 1)
  excess <- function(alpha) {
    refit <- glm(formula(fit), data = quine, family = negative.binomial(1 / alpha))
    2 * (top - as.numeric(logLik(refit))) - crit
  }
  alpha <- 1 / fit$theta
  c(low = uniroot(excess, c(alpha / 4, alpha), tol = 1e-12)$root,
    high = uniroot(excess, c(alpha, 4 * alpha), tol = 1e-12)$root)
}
lr_test <- function(fit) {
  poisson <- glm(formula(fit), data = quine, family = poisson)
  lr <- 2 * (as.numeric(logLik(fit)) - as.numeric(logLik(poisson)))
  c(lr = lr, p = pchisq(lr, 1, lower.tail = FALSE) / 2)
}
cat("Days ~ Eth + Age + Lrn: alpha", 1 / chosen$theta, "\n")
print(profile_interval(chosen))
print(lr_test(chosen))

# The channel-shaped model of tests/test_rates.py as quasi-Poisson (nothing published).
chosen_quasi <- glm(Days ~ Eth + Age + Lrn, family = quasipoisson, data = quine)
print(summary(chosen_quasi)$coefficients)
cat("quasi-Poisson dispersion", summary(chosen_quasi)$dispersion, "\n")
