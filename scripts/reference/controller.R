# Reference values for test/engine/controller/step.test.ts (rpact 3.3.4).
# Run: Rscript scripts/reference/controller.R
library(rpact)
cat("rpact", as.character(packageVersion("rpact")), "\n")
# Two looks at information 0.5 and 1, two-sided alpha 0.05, Lan-DeMets O'Brien-Fleming-type spending.
d <- getDesignGroupSequential(typeOfDesign = "asOF", kMax = 2, alpha = 0.05, sided = 2, informationRates = c(0.5, 1))
print(d$criticalValues, digits = 10)
