# Reference values for test/engine/controller/lookBoundaries.test.ts: two-sided Lan–DeMets
# boundaries at information rates on the controller's 1/200 grid (rpact 3.3.4).
# Run: /usr/bin/Rscript scripts/reference/lookBoundaries.R
library(rpact)
show <- function(rates, type) {
  d <- getDesignGroupSequential(typeOfDesign = type, kMax = length(rates), alpha = 0.05, sided = 2,
                                informationRates = rates)
  cat(sprintf("%s informationRates = c(%s): %s\n", type, paste(rates, collapse = ", "),
              paste(sprintf("%.10f", d$criticalValues), collapse = ", ")))
}
show(c(0.205, 1), "asOF")
show(c(0.205, 0.41, 1), "asOF")
show(c(0.205, 0.41, 0.615, 0.82, 1), "asOF")
show(c(0.205, 0.41, 0.615, 0.82, 1), "asP")
