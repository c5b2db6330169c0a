# Reference values for mande.plan (inclusion probabilities and systematic selection), computed with
# R's sampling package (Tillé and Matei).
#
# Run from the repository root:  Rscript tests/reference/make_plan_fixtures.R
# Writes
#   tests/reference/fixtures/plan_inclusion.csv   case, unit, size, n, pik
#       pik = sampling::inclusionprobabilities(size, n): n * size / sum(size), then every unit whose
#       value reaches 1 is taken with certainty and the others recomputed from what is left, until
#       no new unit reaches 1.
#   tests/reference/fixtures/plan_systematic.csv  case, u, unit, selected
#       the systematic draw of sampling::UPsystematic(pik) with its random start runif(1) replaced by
#       the fixed start u, i.e. the body of UPsystematic evaluated with that u:
#         list <- pik > eps & pik < 1 - eps; pik1 <- pik[list]
#         a <- (c(0, cumsum(pik1)) - u) %% 1; s[list] <- as.integer(a[1:N] > a[2:(N + 1)])
#       and checked against UPsystematic itself by drawing with set.seed() and the same runif().
suppressPackageStartupMessages(library(sampling))
stopifnot(packageVersion("sampling") >= "2.9")

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(script)) dirname(normalizePath(script)) else "tests/reference"
out <- file.path(here, "fixtures")
dir.create(out, showWarnings = FALSE, recursive = TRUE)

set.seed(20261130)
cases <- list()
# 1. a region's villages, lognormal sizes, two very large towns: certainty in the first pass
cases[["two_towns"]] <- list(size = c(round(rlnorm(40, log(900), 0.6)), 52000, 38000), n = 10)
# 2. a unit that reaches 1 only after the first certainty units are removed (a second pass)
cases[["second_pass"]] <- list(size = c(5000, 2600, 2300, rep(300, 12), rep(120, 10)), n = 6)
# 3. a cascade: each pass makes a new certainty unit
cases[["cascade"]] <- list(size = c(1000, 500, 260, 140, 80, rep(20, 20)), n = 8)
# 4. zero sizes (probability 0, never drawn) beside certainty units
cases[["zeros"]] <- list(size = c(0, 0, 4000, 250, 310, 180, 90, 0, 400, 220, 150, 95), n = 5)
# 5. no certainty unit at all
cases[["no_certainty"]] <- list(size = round(runif(30, 100, 400)), n = 7)
# 6. every unit with positive size taken
cases[["all_taken"]] <- list(size = c(10, 20, 30, 0, 40), n = 4)
# 7. a unit whose first-pass value is exactly 1
cases[["exactly_one"]] <- list(size = c(250, rep(50, 15)), n = 4)
# 8. a large frame (1,200 villages, heavy tail)
cases[["large"]] <- list(size = round(rlnorm(1200, log(400), 1.1)) + 1, n = 60)
# 9. equal sizes (equal probability)
cases[["equal"]] <- list(size = rep(1, 23), n = 5)

inc <- list()
sys <- list()
for (name in names(cases)) {
  cs <- cases[[name]]
  pik <- suppressWarnings(inclusionprobabilities(cs$size, cs$n))
  stopifnot(abs(sum(pik) - cs$n) < 1e-9)
  inc[[name]] <- data.frame(
    case = name, unit = seq_along(cs$size), size = cs$size, n = cs$n, pik = pik
  )
  eps <- 1e-6
  for (u in c(0.0137, 0.3721, 0.5, 0.8093, 0.9962)) {
    list1 <- pik > eps & pik < 1 - eps
    pik1 <- pik[list1]
    N <- length(pik1)
    s <- pik
    if (N > 0) {
      a <- (c(0, cumsum(pik1)) - u) %% 1
      s[list1] <- as.integer(a[1:N] > a[2:(N + 1)])
    }
    s[pik >= 1 - eps] <- 1
    s[pik <= eps] <- 0
    stopifnot(sum(s) == cs$n)
    sys[[paste(name, u)]] <- data.frame(case = name, u = u, unit = seq_along(s), selected = s)
  }
  # the same body as UPsystematic: with the same random start, the same sample
  set.seed(7)
  drawn <- UPsystematic(pik)
  set.seed(7)
  u7 <- runif(1)
  list1 <- pik > 1e-6 & pik < 1 - 1e-6
  if (sum(list1) > 0) {
    a <- (c(0, cumsum(pik[list1])) - u7) %% 1
    mine <- pik
    mine[list1] <- as.integer(a[1:sum(list1)] > a[2:(sum(list1) + 1)])
    stopifnot(all(drawn == mine))
  }
}
write.csv(do.call(rbind, inc), file.path(out, "plan_inclusion.csv"), row.names = FALSE)
write.csv(do.call(rbind, sys), file.path(out, "plan_systematic.csv"), row.names = FALSE)
cat("wrote plan_inclusion.csv and plan_systematic.csv\n")
