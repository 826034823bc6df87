# Reference values for test/ui/sizerModel.test.ts (R 4.2.2, rpact, mvtnorm).
# Run: Rscript scripts/reference/ui_sizer.R
library(mvtnorm)
library(rpact)
options(digits = 12)
cat("power.prop.test(p1 = 0.10, p2 = 0.12, power = 0.8)$n =", power.prop.test(p1 = 0.10, p2 = 0.12, power = 0.8)$n, "\n")
cat("power.prop.test(p1 = 0.10, p2 = 0.12, n = 3841)$power =", power.prop.test(p1 = 0.10, p2 = 0.12, n = 3841)$power, "\n")
cat("power.prop.test(p1 = 0.10, p2 = 0.12, n = 2000)$power =", power.prop.test(p1 = 0.10, p2 = 0.12, n = 2000)$power, "\n")
cat("power.prop.test(p1 = 0.10, p2 = 0.11, power = 0.8)$n =", power.prop.test(p1 = 0.10, p2 = 0.11, power = 0.8)$n, "\n")
# Naive repeated testing: P(max_k |Z_k| > qnorm(0.975)) for K equally spaced looks, Corr(Z_j, Z_k) = sqrt(j/k).
set.seed(1)
for (K in c(1, 2, 3, 5, 10)) {
  sigma <- outer(1:K, 1:K, function(j, k) sqrt(pmin(j, k) / pmax(j, k)))
  c <- qnorm(0.975)
  p <- 1 - pmvnorm(lower = rep(-c, K), upper = rep(c, K), sigma = sigma, algorithm = GenzBretz(abseps = 1e-8, maxpts = 1e7))
  cat(sprintf("naive K = %d: 1 - pmvnorm(-1.96..1.96, corr sqrt(j/k)) = %.8f\n", K, p))
}
for (K in c(5, 10)) {
  for (type in c("asOF", "asP")) {
    d <- getDesignGroupSequential(kMax = K, alpha = 0.05, sided = 2, typeOfDesign = type)
    # Probability under H0 of crossing either boundary by the last look.
    sigma <- outer(1:K, 1:K, function(j, k) sqrt(pmin(j, k) / pmax(j, k)))
    p <- 1 - pmvnorm(lower = -d$criticalValues, upper = d$criticalValues, sigma = sigma, algorithm = GenzBretz(abseps = 1e-8, maxpts = 1e7))
    cat(sprintf("getDesignGroupSequential(kMax = %d, alpha = 0.05, sided = 2, typeOfDesign = '%s'): criticalValues[1] = %.6f, P0(cross) = %.8f\n", K, type, d$criticalValues[1], p))
  }
}
