# Reference values for tests/test_interrupted.py: the models of the supplementary R code of
# Lopez Bernal, Cummins & Gasparrini (2017), Int J Epidemiol 46:348-355, on its own data
# (its_sicily.csv). Model formulas copied from Rcode.R of
# github.com/gasparrini/2017_lopezbernal_IJE_codedata (model2, model3, model4); tsModel's
# harmonic() written out below (tsModel is not packaged for Debian), Epi::ci.exp as there.
# Newey-West for model3 from sandwich::NeweyWest (lag 3, no prewhitening, no adjustment).
# Run (R 4.2.2, Epi 2.47, sandwich 3.0-2 from Debian bookworm):
#   cd tests/reference && Rscript its_sicily.R
library(Epi)
library(sandwich)
harmonic <- function(x, nfreq, period) {  # tsModel::harmonic: sin and cos of 2*pi*k*x/period
  M <- outer(2 * pi * as.numeric(x) / period, seq_len(nfreq))
  cbind(sin(M), cos(M))
}
data <- read.csv("its_sicily.csv")
options(digits = 7)
model2 <- glm(aces ~ offset(log(stdpop)) + smokban + time, family = quasipoisson, data)
cat("model2 dispersion", summary(model2)$dispersion, "\n"); print(ci.exp(model2))
model3 <- glm(aces ~ offset(log(stdpop)) + smokban + time + harmonic(month, 2, 12),
              family = quasipoisson, data)
cat("model3 dispersion", summary(model3)$dispersion, "\n"); print(ci.exp(model3))
model4 <- glm(aces ~ offset(log(stdpop)) + smokban + time + I(time - 36):smokban +
                harmonic(month, 2, 12), family = quasipoisson, data)
print(ci.exp(model4)[c("smokban", "smokban:I(time - 36)"), ])
se <- sqrt(diag(NeweyWest(model3, lag = 3, prewhite = FALSE, adjust = FALSE)))["smokban"]
b <- coef(model3)["smokban"]
cat("model3 Newey-West smokban", exp(b), exp(b - qnorm(0.975) * se), exp(b + qnorm(0.975) * se),
    "\n")
