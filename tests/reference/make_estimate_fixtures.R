# Reference values for mande.estimate, computed with R's survey package.
#
# Run from the repository root:  Rscript tests/reference/make_estimate_fixtures.R
# Writes tests/reference/fixtures/estimate_*.csv (the data, so that the tests need no R) and
# tests/reference/fixtures/estimate_expected.json (the expected values, one case per design x
# variable x kind x breakdown, each with the R call it mirrors).
#
# Every domain is estimated on the full design: for a breakdown `by` and a variable `y`,
#   sub <- des[<by-group> & !is.na(y), ]            # what svyby(..., na.rm = TRUE) evaluates
#   svymean(~y, sub, deff = TRUE)                    # or svytotal: estimate, SE, deff
#   confint(svymean(~y, sub), df = degf(sub))        # mean and total CI (t on the domain's df)
#   svyciprop(~I(y == 1), sub, method = "logit", df = degf(sub))   # proportion CI
# The expected CI ends (ci_low, ci_high) use the exact t quantile qt(1 - alpha/2, degf(sub)) and,
# for proportions, svyciprop's own svyglm(y ~ 1, sub, family = quasibinomial) fitted with
# control = glm.control(epsilon = 1e-14, maxit = 100); what confint()/svyciprop() print is kept
# beside them as r_ci_low, r_ci_high and checked to agree to 1e-6 wherever it is finite.
# and the script checks that svyby(~y, ~by, des, svymean, na.rm = TRUE, deff = TRUE) gives the
# same estimates, SEs and design effects before writing anything.
suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
stopifnot(packageVersion("survey") >= "4.0")
options(survey.adjust.domain.lonely = FALSE)  # R's default, stated for the record

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(script)) dirname(normalizePath(script)) else "tests/reference"
out <- file.path(here, "fixtures")
dir.create(out, showWarnings = FALSE, recursive = TRUE)

data(api)

# ---- data sets -----------------------------------------------------------------------------
keep <- c("cds", "stype", "dnum", "snum", "cname", "api00", "api99", "enroll", "ell", "meals",
          "acs.k3", "awards", "sch.wide", "yr.rnd", "pw")
prep <- function(d) {
  d <- d[, intersect(c(keep, "fpc", "fpc1", "fpc2"), names(d))]
  d$sch_wide_yes <- as.numeric(d$sch.wide == "Yes")
  d$awards_yes <- as.numeric(d$awards == "Yes")
  # a 0/1 answer with missing values (about one in seven schools did not answer)
  d$yr_rnd_na <- ifelse(d$snum %% 7 == 0, NA, as.numeric(d$yr.rnd == "Yes"))
  d$comp_na <- ifelse(d$snum %% 5 == 0, NA, as.numeric(d$api00 > 650))
  d$stype <- as.character(d$stype)
  d$awards <- as.character(d$awards)
  d
}
strat <- prep(apistrat)
nh <- table(strat$stype)
strat$frac <- as.numeric(nh[strat$stype]) / strat$fpc  # fpc as a sampling fraction
clus1 <- prep(apiclus1)
clus2 <- prep(apiclus2)
srs <- prep(apisrs)

set.seed(20240531)
make_strclus <- function(npsu) {
  rows <- list()
  for (h in seq_along(npsu)) for (j in seq_len(npsu[h])) {
    m <- sample(5:12, 1)
    u <- rnorm(1, sd = 8)
    ub <- rnorm(1, sd = 0.8)
    rows[[length(rows) + 1]] <- data.frame(
      stratum = paste0("S", h), psu = j, m = m,
      w = round(runif(m, 1, 4) * (1 + h / 2), 3),
      y = round(50 + 3 * h + u + rnorm(m, sd = 10), 2),
      b = rbinom(m, 1, plogis(-0.3 + 0.2 * h + ub)),
      sex = sample(c("female", "male"), m, replace = TRUE),
      region = sample(c("north", "south", "east"), m, replace = TRUE)
    )
  }
  d <- do.call(rbind, rows)
  d$m <- NULL
  d$b_na <- ifelse(runif(nrow(d)) < 0.12, NA, d$b)
  d$y_na <- ifelse(runif(nrow(d)) < 0.08, NA, d$y)
  d$region[runif(nrow(d)) < 0.05] <- NA  # missing breakdown: in no domain, still in the design
  # grp "c": in a single PSU of S1 (a lonely PSU that arises only in the domain) and spread elsewhere
  d$grp <- ifelse(d$y > 55, "a", "b")
  d$grp[d$stratum == "S1" & d$psu == 1] <- "c"
  d$grp[d$stratum == "S1" & d$psu != 1] <- "a"
  d$grp[d$stratum == "S3" & d$psu %in% c(1, 2) & d$b == 1] <- "c"
  d$grp[d$stratum == "S4" & d$psu == 2] <- "c"
  npop <- c(S1 = 20, S2 = 9, S3 = 40, S4 = 6, S5 = 30, S6 = 1)
  d$fpc_pop <- as.numeric(npop[d$stratum])
  d
}
strclus <- make_strclus(c(4, 3, 5, 2, 6))
lonely <- make_strclus(c(4, 3, 5, 2, 6, 1))  # S6 has a single PSU
lonely$fpc_cert <- lonely$fpc_pop           # S6: its only PSU is the whole population
lonely$fpc_pop[lonely$stratum == "S6"] <- 5 # S6: one PSU sampled out of five

write_data <- function(d, name) {
  write.csv(d, file.path(out, name), row.names = FALSE, na = "")
  name
}
files <- list(
  strat = write_data(strat, "estimate_apistrat.csv"),
  clus1 = write_data(clus1, "estimate_apiclus1.csv"),
  clus2 = write_data(clus2, "estimate_apiclus2.csv"),
  srs = write_data(srs, "estimate_apisrs.csv"),
  strclus = write_data(strclus, "estimate_strclus.csv"),
  lonely = write_data(lonely, "estimate_lonely.csv")
)

# ---- one domain on the full design ---------------------------------------------------------
domain_row <- function(des, y, kind, mask, level) {
  sub <- des[mask & !is.na(des$variables[[y]]), ]
  f <- as.formula(paste0("~", y))
  m <- if (kind == "total") svytotal(f, sub, deff = TRUE) else svymean(f, sub, deff = TRUE)
  df <- degf(sub)
  q <- qt(1 - (1 - level) / 2, df)
  if (kind == "proportion") {
    # svyciprop's logit interval, from its svyglm fitted to tight convergence and with the exact
    # t quantile (svyciprop uses glm's default tolerance, which moves the interval by ~1e-8, and
    # confint.svyglm's qnorm(pnorm(qt())) round trip, which is infinite at df = 1)
    g <- suppressWarnings(svyglm(as.formula(paste0(y, " ~ 1")), sub, family = quasibinomial,
                                 control = glm.control(epsilon = 1e-14, maxit = 100)))
    ci <- as.numeric(plogis(coef(g)[1] + c(-1, 1) * q * sqrt(vcov(g)[1, 1])))
    r <- suppressWarnings(svyciprop(as.formula(paste0("~I(", y, " == 1)")), sub,
                                    method = "logit", level = level, df = df))
    r_ci <- as.numeric(attr(r, "ci"))
  } else {
    ci <- as.numeric(coef(m)) + c(-1, 1) * q * as.numeric(SE(m))
    r_ci <- as.numeric(confint(m, level = level, df = df))
  }
  if (all(is.finite(r_ci))) stopifnot(isTRUE(all.equal(ci, r_ci, tolerance = 1e-6)))
  list(estimate = unname(coef(m)), se = unname(SE(m))[1], ci_low = ci[1], ci_high = ci[2],
       n = nrow(sub), df = df, deff = unname(deff(m))[1],
       r_ci_low = r_ci[1], r_ci_high = r_ci[2])
}

case <- function(id, data_name, d, des, spec, y, kind, by = NULL, level = 0.95, call) {
  lonely_opt <- if (is.null(spec$lonely_psu)) "fail" else spec$lonely_psu
  old <- options(survey.lonely.psu = lonely_opt)
  on.exit(options(old))
  if (is.null(by)) {
    rows <- list(c(list(by = structure(list(), names = character(0))),
                   domain_row(des, y, kind, rep(TRUE, nrow(d)), level)))
  } else {
    key <- interaction(d[by], drop = TRUE)
    levs <- sort(unique(key[complete.cases(d[by])]))
    rows <- lapply(levs, function(l) {
      mask <- !is.na(key) & key == l
      first <- which(mask)[1]
      c(list(by = as.list(d[first, by, drop = FALSE])), domain_row(des, y, kind, mask, level))
    })
    # the same numbers through svyby, as an analyst would call it
    FUN <- if (kind == "total") svytotal else svymean
    sb <- svyby(as.formula(paste0("~", y)), as.formula(paste0("~", paste(by, collapse = "+"))),
                des, FUN, na.rm = TRUE, deff = TRUE)
    ours <- sapply(rows, function(r) r$estimate)
    ours_se <- sapply(rows, function(r) r$se)
    ours_deff <- sapply(rows, function(r) r$deff)
    # svyby sorts by the interaction of the by factors, as `rows` does
    stopifnot(isTRUE(all.equal(unname(coef(sb)), ours, tolerance = 1e-13)))
    stopifnot(isTRUE(all.equal(unname(SE(sb)), ours_se, tolerance = 1e-13)))
    stopifnot(isTRUE(all.equal(unname(deff(sb)), ours_deff, tolerance = 1e-13)))
  }
  list(id = id, data = data_name, design = spec, variable = y, kind = kind,
       by = if (is.null(by)) NULL else as.list(by), level = level, r_call = call, rows = rows)
}

error_case <- function(id, data_name, des, spec, y, kind, call) {
  old <- options(survey.lonely.psu = spec$lonely_psu)
  on.exit(options(old))
  msg <- tryCatch({
    svymean(as.formula(paste0("~", y)), des, na.rm = TRUE)
    NA_character_
  }, error = function(e) conditionMessage(e))
  list(id = id, data = data_name, design = spec, variable = y, kind = kind, by = NULL,
       level = 0.95, r_call = call, error = msg, rows = list())
}

cases <- list()
add <- function(x) cases[[length(cases) + 1]] <<- x

# apistrat: stratified, fpc as population size and as sampling fraction
d_strat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat)
s_strat <- list(weight = "pw", strata = "stype", psu = NULL, fpc = "fpc")
c_strat <- "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)"
for (v in c("api00", "enroll", "acs.k3")) for (k in c("mean", "total")) {
  add(case(paste("apistrat", v, k), files$strat, strat, d_strat, s_strat, v, k,
           call = sprintf("svy%s(~%s, %s, na.rm=TRUE, deff=TRUE)", k, v, c_strat)))
  add(case(paste("apistrat", v, k, "by awards"), files$strat, strat, d_strat, s_strat, v, k,
           by = "awards",
           call = sprintf("svyby(~%s, ~awards, %s, svy%s, na.rm=TRUE, deff=TRUE)", v, c_strat, k)))
}
for (v in c("sch_wide_yes", "yr_rnd_na", "comp_na")) {
  add(case(paste("apistrat", v, "proportion"), files$strat, strat, d_strat, s_strat, v,
           "proportion", call = sprintf(
             "svyciprop(~I(%s==1), subset(%s, !is.na(%s)), method='logit', df=degf(subset))",
             v, c_strat, v)))
  add(case(paste("apistrat", v, "proportion by stype+awards"), files$strat, strat, d_strat,
           s_strat, v, "proportion", by = c("stype", "awards"), call = sprintf(
             "svyby(~%s, ~stype+awards, %s, svymean, na.rm=TRUE); svyciprop logit per subset",
             v, c_strat)))
}
add(case("apistrat api00 mean by stype level 0.9", files$strat, strat, d_strat, s_strat, "api00",
         "mean", by = "stype", level = 0.9,
         call = sprintf("confint(svyby(~api00, ~stype, %s, svymean), level=0.9, df=degf(sub))",
                        c_strat)))
d_frac <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~frac, data = strat)
s_frac <- list(weight = "pw", strata = "stype", psu = NULL, fpc = "frac")
c_frac <- "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~frac, data=apistrat)"
add(case("apistrat fraction api00 mean", files$strat, strat, d_frac, s_frac, "api00", "mean",
         call = sprintf("svymean(~api00, %s)", c_frac)))
add(case("apistrat fraction sch_wide_yes by awards", files$strat, strat, d_frac, s_frac,
         "sch_wide_yes", "proportion", by = "awards",
         call = sprintf("svyby(~sch_wide_yes, ~awards, %s, svymean)", c_frac)))

# apisrs: simple random sample, with and without fpc
d_srs <- svydesign(id = ~1, weights = ~pw, fpc = ~fpc, data = srs)
c_srs <- "svydesign(id=~1, weights=~pw, fpc=~fpc, data=apisrs)"
add(case("apisrs api00 mean by stype", files$srs, srs, d_srs,
         list(weight = "pw", strata = NULL, psu = NULL, fpc = "fpc"), "api00", "mean",
         by = "stype", call = sprintf("svyby(~api00, ~stype, %s, svymean)", c_srs)))
d_srs0 <- svydesign(id = ~1, weights = ~pw, data = srs)
add(case("apisrs nofpc comp_na proportion", files$srs, srs, d_srs0,
         list(weight = "pw", strata = NULL, psu = NULL, fpc = NULL), "comp_na", "proportion",
         call = "svyciprop(~I(comp_na==1), subset(svydesign(id=~1, weights=~pw, data=apisrs), !is.na(comp_na)), method='logit')"))

# apiclus1: one-stage cluster sample with fpc
d_c1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = clus1)
s_c1 <- list(weight = "pw", strata = NULL, psu = "dnum", fpc = "fpc")
c_c1 <- "svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)"
for (k in c("mean", "total")) {
  add(case(paste("apiclus1 api00", k), files$clus1, clus1, d_c1, s_c1, "api00", k,
           call = sprintf("svy%s(~api00, %s, deff=TRUE)", k, c_c1)))
  add(case(paste("apiclus1 enroll", k, "by stype"), files$clus1, clus1, d_c1, s_c1, "enroll", k,
           by = "stype", call = sprintf("svyby(~enroll, ~stype, %s, svy%s, deff=TRUE)", c_c1, k)))
}
for (v in c("sch_wide_yes", "yr_rnd_na")) {
  add(case(paste("apiclus1", v, "proportion by stype"), files$clus1, clus1, d_c1, s_c1, v,
           "proportion", by = "stype", call = sprintf(
             "svyby(~%s, ~stype, %s, svymean, na.rm=TRUE); svyciprop logit per subset", v, c_c1)))
}

# apiclus2: two-stage sample, as an ultimate-cluster design (first stage only), with/without fpc
d_c2 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc1, data = clus2)
s_c2 <- list(weight = "pw", strata = NULL, psu = "dnum", fpc = "fpc1")
c_c2 <- "svydesign(id=~dnum, weights=~pw, fpc=~fpc1, data=apiclus2)"
d_c2n <- svydesign(id = ~dnum, weights = ~pw, data = clus2)
s_c2n <- list(weight = "pw", strata = NULL, psu = "dnum", fpc = NULL)
c_c2n <- "svydesign(id=~dnum, weights=~pw, data=apiclus2)"
for (v in c("api00", "enroll")) for (k in c("mean", "total")) {
  add(case(paste("apiclus2", v, k), files$clus2, clus2, d_c2, s_c2, v, k,
           call = sprintf("svy%s(~%s, %s, na.rm=TRUE, deff=TRUE)", k, v, c_c2)))
  add(case(paste("apiclus2 nofpc", v, k, "by stype"), files$clus2, clus2, d_c2n, s_c2n, v, k,
           by = "stype",
           call = sprintf("svyby(~%s, ~stype, %s, svy%s, na.rm=TRUE, deff=TRUE)", v, c_c2n, k)))
}
add(case("apiclus2 nofpc comp_na proportion by stype", files$clus2, clus2, d_c2n, s_c2n,
         "comp_na", "proportion", by = "stype",
         call = sprintf("svyby(~comp_na, ~stype, %s, svymean, na.rm=TRUE); svyciprop logit", c_c2n)))

# stratified cluster sample without fpc (PSU ids repeat across strata: nested)
d_sc <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = strclus)
s_sc <- list(weight = "w", strata = "stratum", psu = "psu", fpc = NULL)
c_sc <- "svydesign(id=~psu, strata=~stratum, weights=~w, nest=TRUE, data=strclus)"
for (k in c("mean", "total")) {
  add(case(paste("strclus y_na", k), files$strclus, strclus, d_sc, s_sc, "y_na", k,
           call = sprintf("svy%s(~y_na, %s, na.rm=TRUE, deff=TRUE)", k, c_sc)))
  add(case(paste("strclus y_na", k, "by region"), files$strclus, strclus, d_sc, s_sc, "y_na", k,
           by = "region",
           call = sprintf("svyby(~y_na, ~region, %s, svy%s, na.rm=TRUE, deff=TRUE)", c_sc, k)))
}
for (by in list(NULL, "sex", c("sex", "region"), "grp")) {
  add(case(paste("strclus b_na proportion by", paste(by, collapse = "+")), files$strclus,
           strclus, d_sc, s_sc, "b_na", "proportion", by = by, call = sprintf(
             "svyby(~b_na, ~%s, %s, svymean, na.rm=TRUE); svyciprop(~I(b_na==1), subset, method='logit', df=degf(subset))",
             paste(c(by, "1")[1:max(1, length(by))], collapse = "+"), c_sc)))
}
add(case("strclus y mean by grp (domain-induced lonely PSU)", files$strclus, strclus, d_sc, s_sc,
         "y", "mean", by = "grp",
         call = sprintf("svyby(~y, ~grp, %s, svymean, deff=TRUE)  # survey.adjust.domain.lonely=FALSE",
                        c_sc)))
d_scf <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc_pop, nest = TRUE,
                   data = strclus)
s_scf <- list(weight = "w", strata = "stratum", psu = "psu", fpc = "fpc_pop")
add(case("strclus fpc y total by grp", files$strclus, strclus, d_scf, s_scf, "y", "total",
         by = "grp", call = "svyby(~y, ~grp, svydesign(id=~psu, strata=~stratum, weights=~w, fpc=~fpc_pop, nest=TRUE, data=strclus), svytotal, deff=TRUE)"))

# a stratum with a single PSU (S6), under every survey.lonely.psu option
for (opt in c("remove", "certainty", "adjust", "average")) {
  for (fpc in list(NULL, "fpc_pop")) {
    des <- if (is.null(fpc)) {
      svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = lonely)
    } else {
      svydesign(id = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc_pop, nest = TRUE,
                data = lonely)
    }
    spec <- list(weight = "w", strata = "stratum", psu = "psu", fpc = fpc, lonely_psu = opt)
    cd <- sprintf("svydesign(id=~psu, strata=~stratum, weights=~w, %snest=TRUE, data=lonely)",
                  if (is.null(fpc)) "" else "fpc=~fpc_pop, ")
    tag <- paste0("lonely ", opt, if (is.null(fpc)) "" else " fpc")
    for (k in c("mean", "total")) {
      add(case(paste(tag, "y", k), files$lonely, lonely, des, spec, "y", k, call = sprintf(
        "options(survey.lonely.psu='%s'); svy%s(~y, %s, deff=TRUE)", opt, k, cd)))
      add(case(paste(tag, "y_na", k, "by region"), files$lonely, lonely, des, spec, "y_na", k,
               by = "region", call = sprintf(
                 "options(survey.lonely.psu='%s'); svyby(~y_na, ~region, %s, svy%s, na.rm=TRUE, deff=TRUE)",
                 opt, cd, k)))
    }
    add(case(paste(tag, "b_na proportion by grp"), files$lonely, lonely, des, spec, "b_na",
             "proportion", by = "grp", call = sprintf(
               "options(survey.lonely.psu='%s'); svyby(~b_na, ~grp, %s, svymean, na.rm=TRUE); svyciprop logit",
               opt, cd)))
  }
}
d_lf <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = lonely)
add(error_case("lonely fail", files$lonely, d_lf,
               list(weight = "w", strata = "stratum", psu = "psu", fpc = NULL, lonely_psu = "fail"),
               "y", "mean",
               "options(survey.lonely.psu='fail'); svymean(~y, svydesign(id=~psu, strata=~stratum, weights=~w, nest=TRUE, data=lonely))"))
# a lonely PSU that is the whole population of its stratum (fpc): no error, it adds no variance
d_cert <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc_cert, nest = TRUE,
                    data = lonely)
add(case("lonely fail certainty fpc y mean", files$lonely, lonely, d_cert,
         list(weight = "w", strata = "stratum", psu = "psu", fpc = "fpc_cert", lonely_psu = "fail"),
         "y", "mean", by = "sex",
         call = "options(survey.lonely.psu='fail'); svyby(~y, ~sex, svydesign(id=~psu, strata=~stratum, weights=~w, fpc=~fpc_cert, nest=TRUE, data=lonely), svymean)"))

json <- toJSON(list(
  generated_with = list(R = R.version.string, survey = as.character(packageVersion("survey"))),
  cases = cases
), auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = TRUE)
writeLines(json, file.path(out, "estimate_expected.json"))
cat(length(cases), "cases written to", out, "\n")
