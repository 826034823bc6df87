#!/usr/bin/env Rscript
# Reference values for test/engine/stats/groupSequential.test.ts, from the R package rpact
# (Debian r-cran-rpact). Writes test/fixtures/sequential-rpact.json; every entry records the
# exact call that produced it. Run from the repository root:
#   /usr/bin/Rscript scripts/reference/sequential.R
suppressMessages(library(rpact))
library(jsonlite)

designs <- list(
  list(kMax = 5, alpha = 0.025, sided = 1, typeOfDesign = "asOF", informationRates = NULL),
  list(kMax = 5, alpha = 0.025, sided = 1, typeOfDesign = "asP", informationRates = NULL),
  list(kMax = 5, alpha = 0.05, sided = 2, typeOfDesign = "asOF", informationRates = NULL),
  list(kMax = 5, alpha = 0.05, sided = 2, typeOfDesign = "asP", informationRates = NULL),
  list(kMax = 3, alpha = 0.025, sided = 1, typeOfDesign = "asOF", informationRates = c(0.3, 0.55, 1)),
  list(kMax = 4, alpha = 0.025, sided = 1, typeOfDesign = "asP", informationRates = c(0.1, 0.45, 0.8, 1)),
  list(kMax = 4, alpha = 0.05, sided = 2, typeOfDesign = "asOF", informationRates = c(0.25, 0.5, 0.9, 1)),
  list(kMax = 2, alpha = 0.01, sided = 1, typeOfDesign = "asOF", informationRates = c(0.5, 1)),
  list(kMax = 10, alpha = 0.05, sided = 2, typeOfDesign = "asP", informationRates = NULL)
)

callText <- function(d) {
  rates <- if (is.null(d$informationRates)) "" else
    sprintf(", informationRates=c(%s)", paste(d$informationRates, collapse = ", "))
  sprintf('getDesignGroupSequential(kMax=%d, alpha=%s, sided=%d, typeOfDesign="%s"%s)',
          d$kMax, d$alpha, d$sided, d$typeOfDesign, rates)
}

boundaries <- lapply(designs, function(d) {
  args <- list(kMax = d$kMax, alpha = d$alpha, sided = d$sided, typeOfDesign = d$typeOfDesign)
  if (!is.null(d$informationRates)) args$informationRates <- d$informationRates
  design <- do.call(getDesignGroupSequential, args)
  list(
    call = callText(d),
    alpha = d$alpha, sides = d$sided,
    spending = if (d$typeOfDesign == "asOF") "obrienFleming" else "pocock",
    informationFractions = design$informationRates,
    criticalValues = design$criticalValues,
    alphaSpent = design$alphaSpent,
    stageLevels = design$stageLevels
  )
})

# Power under the drift that gives 90% power (getDesignCharacteristics): shift = drift^2 at
# full information; rejectionProbabilities are the per-look upper exit probabilities.
characteristics <- lapply(list(
  list(typeOfDesign = "asOF", informationRates = NULL),
  list(typeOfDesign = "asP", informationRates = c(0.2, 0.5, 0.75, 1))
), function(d) {
  args <- list(kMax = if (is.null(d$informationRates)) 5 else length(d$informationRates),
               alpha = 0.025, sided = 1, typeOfDesign = d$typeOfDesign, beta = 0.1)
  if (!is.null(d$informationRates)) args$informationRates <- d$informationRates
  design <- do.call(getDesignGroupSequential, args)
  ch <- getDesignCharacteristics(design)
  list(
    call = sprintf("getDesignCharacteristics(%s) with beta=0.1",
                   callText(c(args, list(informationRates = d$informationRates)))),
    informationFractions = design$informationRates,
    criticalValues = design$criticalValues,
    shift = ch$shift,
    inflationFactor = ch$inflationFactor,
    rejectionProbabilities = ch$rejectionProbabilities,
    power = ch$power
  )
})

out <- list(
  generator = "scripts/reference/sequential.R",
  rpactVersion = as.character(packageVersion("rpact")),
  boundaries = boundaries,
  characteristics = characteristics
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "test/fixtures/sequential-rpact.json")
cat("wrote test/fixtures/sequential-rpact.json\n")
