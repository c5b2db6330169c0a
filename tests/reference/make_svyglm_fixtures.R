# Reference values for mande.trend_model, mande.linear_trends and mande.interrupted_time_series:
# R survey::svyglm (quasibinomial and gaussian) on stratified and clustered designs, with and
# without fpc, with missing values in the model variables (svyglm's na.omit subsets the design),
# with a lonely PSU (survey.lonely.psu = "adjust") and on domains (subset()).
#
# Run from the repository root:   Rscript tests/reference/make_svyglm_fixtures.R
# Writes, beside this script:
#   svyglm_api_strat.csv, svyglm_api_clus1.csv, svyglm_api_clus2.csv   the api data used (dots in
#                                                                       column names become _)
#   svyglm_sim_rounds.csv      a simulated stacked design: 4 rounds x 6 regions, clusters in regions
#   svyglm_sim_lonely.csv      the same with one stratum reduced to a single PSU
#   svyglm_reference.csv       one row per case x coefficient: estimate, se, t, p, ci, df.residual
#
# Every fit uses control = glm.control(epsilon = 1e-14, maxit = 100): R's default tolerance moves
# the SEs by about 1e-5.
suppressMessages(library(survey))
data(api)

here <- local({
  args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", args[grep("^--file=", args)])
  if (length(f)) dirname(normalizePath(f)) else "tests/reference"
})

tight <- glm.control(epsilon = 1e-14, maxit = 100)
clean <- function(d) { names(d) <- gsub(".", "_", names(d), fixed = TRUE); d }

strat <- clean(apistrat)
strat$sch_wide <- as.integer(strat$sch_wide == "Yes")
strat$stype <- as.character(strat$stype)
clus1 <- clean(apiclus1)
clus1$sch_wide <- as.integer(clus1$sch_wide == "Yes")
clus1$stype <- as.character(clus1$stype)
clus2 <- clean(apiclus2)
clus2$sch_wide <- as.integer(clus2$sch_wide == "Yes")
clus2$stype <- as.character(clus2$stype)
keep <- c("cds", "stype", "snum", "dnum", "api00", "api99", "sch_wide", "meals", "ell",
          "mobility", "acs_k3", "avg_ed", "enroll", "fpc", "pw")
write.csv(strat[, keep], file.path(here, "svyglm_api_strat.csv"), row.names = FALSE, na = "")
write.csv(clus1[, keep], file.path(here, "svyglm_api_clus1.csv"), row.names = FALSE, na = "")
write.csv(clus2[, setdiff(keep, "fpc")], file.path(here, "svyglm_api_clus2.csv"),
          row.names = FALSE, na = "")

# ---- a simulated stacked survey: 4 rounds, 6 regions (strata), villages (PSUs) in regions -------
set.seed(20250501)
rows <- list()
for (r in 0:3) for (g in 1:6) {
  n_psu <- 6 + (g %% 3)
  N_psu <- 40 + 10 * g
  for (v in 1:n_psu) {
    m <- sample(8:14, 1)
    u <- rnorm(1, 0, 0.35)
    treated <- g %in% c(3, 4)
    eta <- -0.2 + 0.15 * (g - 3.5) + u - 0.10 * r + ifelse(treated, 0.30 * r, 0)
    y <- rbinom(m, 1, plogis(eta))
    score <- round(50 + 8 * eta + rnorm(m, 0, 12), 1)
    rows[[length(rows) + 1]] <- data.frame(
      round = r, region = sprintf("R%d", g), psu = sprintf("r%d-g%d-v%02d", r, g, v),
      stratum = sprintf("r%d-g%d", r, g), fpc = N_psu,
      w = round(N_psu / n_psu * runif(m, 20, 60), 3), y = y, score = score,
      sex = sample(c("female", "male"), m, replace = TRUE))
  }
}
sim <- do.call(rbind, rows)
sim$y[sample(nrow(sim), 60)] <- NA          # missing answers: svyglm's na.omit subsets the design
sim$score[sample(nrow(sim), 40)] <- NA
sim$treated <- as.integer(sim$region %in% c("R3", "R4"))
sim$post <- as.integer(sim$round >= 1)      # an event between round 0 and round 1
sim$time_after <- pmax(sim$round - 1, 0)    # rounds since the first round after the event
write.csv(sim, file.path(here, "svyglm_sim_rounds.csv"), row.names = FALSE, na = "")

lonely <- sim[!(sim$stratum == "r2-g5" & sim$psu != "r2-g5-v01"), ]
write.csv(lonely, file.path(here, "svyglm_sim_lonely.csv"), row.names = FALSE, na = "")

# ---- the cases ----------------------------------------------------------------------------------
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = clus1)
dclus2 <- svydesign(id = ~dnum + snum, weights = ~pw, data = clus2)   # ultimate cluster
dsim <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc, data = sim, nest = TRUE)
dsim_nofpc <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = sim, nest = TRUE)

out <- list()
add <- function(case, call, fit) {
  s <- summary(fit)$coefficients
  ci <- confint(fit, level = 0.95)
  out[[length(out) + 1]] <<- data.frame(
    case = case, r_call = call, term = rownames(s), estimate = s[, 1], se = s[, 2],
    t = s[, 3], p = s[, 4], ci_low = ci[, 1], ci_high = ci[, 2],
    df_resid = fit$df.residual, n = length(fit$y) - sum(fit$prior.weights == 0),
    row.names = NULL)
}
fit_case <- function(case, formula, design, family, design_name) {
  fam <- deparse(substitute(family))
  call <- sprintf("svyglm(%s, design = %s, family = %s, control = glm.control(epsilon = 1e-14, maxit = 100))",
                  deparse(formula), design_name, fam)
  add(case, call, svyglm(formula, design = design, family = family, control = tight))
}

fit_case("strat_gaussian", api00 ~ ell + meals + mobility, dstrat, gaussian(), "dstrat")
fit_case("strat_quasibinomial", sch_wide ~ ell + meals + stype, dstrat, quasibinomial(), "dstrat")
fit_case("strat_na_gaussian", api00 ~ ell + acs_k3, dstrat, gaussian(), "dstrat")
fit_case("clus1_gaussian", api00 ~ ell + meals + avg_ed, dclus1, gaussian(), "dclus1")
fit_case("clus1_quasibinomial", sch_wide ~ ell + meals + stype, dclus1, quasibinomial(), "dclus1")
fit_case("clus2_gaussian", api00 ~ ell + meals + enroll, dclus2, gaussian(), "dclus2")
fit_case("clus2_quasibinomial", sch_wide ~ meals + acs_k3, dclus2, quasibinomial(), "dclus2")
fit_case("sim_quasibinomial_round_factor", y ~ factor(round) + region + sex, dsim,
         quasibinomial(), "dsim")
fit_case("sim_quasibinomial_time", y ~ round * treated, dsim, quasibinomial(), "dsim")
fit_case("sim_gaussian_score", score ~ round + region, dsim_nofpc, gaussian(), "dsim_nofpc")

# linear trend per region (linear probability model on a domain of the stacked design)
for (g in c("R1", "R3")) {
  d <- subset(dsim, region == g)
  add(sprintf("sim_trend_%s", g),
      sprintf("svyglm(y ~ round, design = subset(dsim, region == \"%s\"), family = gaussian(), control = glm.control(epsilon = 1e-14, maxit = 100))", g),
      svyglm(y ~ round, design = d, family = gaussian(), control = tight))
}
# interrupted time series, event between rounds 0 and 1: treated regions alone, then with the
# other regions as comparison group (round fixed effects)
d34 <- subset(dsim, treated == 1)
add("sim_its_single",
    "svyglm(y ~ post + time_after, design = subset(dsim, treated == 1), family = gaussian(), control = glm.control(epsilon = 1e-14, maxit = 100))",
    svyglm(y ~ post + time_after, design = d34, family = gaussian(), control = tight))
add("sim_its_comparison",
    "svyglm(y ~ factor(round) + treated + treated:post + treated:time_after, design = dsim, family = gaussian(), control = glm.control(epsilon = 1e-14, maxit = 100))",
    svyglm(y ~ factor(round) + treated + treated:post + treated:time_after, design = dsim,
           family = gaussian(), control = tight))

options(survey.lonely.psu = "adjust")
dlonely <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = lonely, nest = TRUE)
add("lonely_adjust_quasibinomial",
    "options(survey.lonely.psu = \"adjust\"); svyglm(y ~ round + treated, design = dlonely, family = quasibinomial(), control = glm.control(epsilon = 1e-14, maxit = 100))",
    svyglm(y ~ round + treated, design = dlonely, family = quasibinomial(), control = tight))

res <- do.call(rbind, out)
write.csv(res, file.path(here, "svyglm_reference.csv"), row.names = FALSE)
cat(sprintf("wrote %d rows for %d cases\n", nrow(res), length(unique(res$case))))
