# Reference values for mande.calibrate and mande.trim_weights, computed with R's survey package.
#
# Run from the repository root:  Rscript tests/reference/make_calibrate_fixtures.R
# Writes tests/reference/fixtures/calibrate_data.csv (a simulated stratified cluster sample with
# the calibrated weights of every case as columns w_<case>) and
# tests/reference/fixtures/calibrate_expected.json (the margins, and for every case the R call,
# the estimates, SEs, CI ends, n and degrees of freedom of means, proportions and totals, overall
# and by domain, and svyglm coefficients with their SEs).
#
# Cases (every one on the same base design svydesign(id=~psu, strata=~region, weights=~w0,
# nest=TRUE)):
#   linear        calibrate(des, ~region+sex+age_group, pop, calfun = "linear")
#   linear_b      calibrate(..., calfun = "linear", bounds = c(0.75, 1.35))
#   raking        calibrate(..., calfun = "raking")
#   raking_b      calibrate(..., calfun = "raking", bounds = c(0.75, 1.35))
#   post          postStratify(des, ~sex+age_group, pop table)
#   trim          trimWeights(raking, lower = 80, upper = 300)
#   trim_strict   trimWeights(raking, upper = 300, strict = TRUE)
# Iterative calibrations use epsilon = 1e-13, maxit = 200 (R's default 1e-7 leaves the weights
# about 1e-8 from the solution).
# Domains are estimated as svyby does on a calibrated design: des[mask & !is.na(y), ] keeps every
# row with weight 0 outside; the script checks svyby gives the same numbers before writing.
suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
stopifnot(packageVersion("survey") >= "4.0")
options(survey.lonely.psu = "fail", survey.adjust.domain.lonely = FALSE)

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(script)) dirname(normalizePath(script)) else "tests/reference"
out <- file.path(here, "fixtures")
dir.create(out, showWarnings = FALSE, recursive = TRUE)
tight <- glm.control(epsilon = 1e-14, maxit = 100)

# ---- data: 4 regions (strata), villages (PSUs), one adult per household --------------------
set.seed(20261130)
regions <- c("Centre", "Est", "Nord", "Sud")
ages <- c("18-29", "30-44", "45-59", "60+")
rows <- list()
for (h in seq_along(regions)) for (j in seq_len(5 + h)) {
  m <- sample(6:12, 1)
  u <- rnorm(1, sd = 0.5)
  sex <- sample(c("female", "male"), m, replace = TRUE, prob = c(0.58, 0.42))
  age <- sample(ages, m, replace = TRUE, prob = c(0.22, 0.3, 0.28, 0.2))
  eta <- -0.3 + 0.25 * h + u + 0.4 * (sex == "male") - 0.2 * (age == "60+")
  rows[[length(rows) + 1]] <- data.frame(
    region = regions[h], psu = sprintf("%s-%02d", substr(regions[h], 1, 1), j),
    sex = sex, age_group = age,
    w0 = round(runif(m, 40, 120) * (1 + h / 3), 3),
    y = round(50 + 4 * h + 10 * u + 3 * (sex == "male") + rnorm(m, sd = 9), 2),
    b = rbinom(m, 1, plogis(eta))
  )
}
d <- do.call(rbind, rows)
d$b_na <- ifelse(runif(nrow(d)) < 0.1, NA, d$b)
d$grp <- ifelse(d$y > 60, "high", "low")
d$grp[runif(nrow(d)) < 0.04] <- NA
d$x1 <- round(rnorm(nrow(d)), 3)

des <- svydesign(id = ~psu, strata = ~region, weights = ~w0, nest = TRUE, data = d)
N <- round(sum(d$w0) * 1.08)
# margins that differ from the sample's weighted distribution by up to about 15 per cent
wshare <- function(v, lv, tilt) {
  s <- sapply(lv, function(l) sum(d$w0[d[[v]] == l])) * tilt
  s / sum(s)
}
fill <- function(p, lv) {
  v <- setNames(round(N * p), lv)
  v[length(v)] <- N - sum(v[-length(v)])
  v
}
p_region <- wshare("region", regions, c(1.1, 0.9, 1.05, 0.95))
p_sex <- wshare("sex", c("female", "male"), c(0.88, 1.12))
p_age <- wshare("age_group", ages, c(1.15, 1, 0.95, 0.85))
pop_region <- fill(p_region, regions)
pop_sex <- fill(p_sex, c("female", "male"))
pop_age <- fill(p_age, ages)
pop_vec <- c(`(Intercept)` = N,
             setNames(pop_region[-1], paste0("region", regions[-1])),
             setNames(pop_sex[-1], "sexmale"),
             setNames(pop_age[-1], paste0("age_group", ages[-1])))
cells <- expand.grid(sex = c("female", "male"), age_group = ages, stringsAsFactors = FALSE)
cells$Freq <- round(N * outer(p_sex, p_age)[cbind(
  match(cells$sex, c("female", "male")), match(cells$age_group, ages))])
cells$Freq[nrow(cells)] <- N - sum(cells$Freq[-nrow(cells)])

fml <- ~region + sex + age_group
cal <- list(
  linear = calibrate(des, fml, pop_vec, calfun = "linear"),
  linear_b = calibrate(des, fml, pop_vec, calfun = "linear", bounds = c(0.75, 1.35),
                       epsilon = 1e-13, maxit = 200),
  raking = calibrate(des, fml, pop_vec, calfun = "raking", epsilon = 1e-13, maxit = 200),
  raking_b = calibrate(des, fml, pop_vec, calfun = "raking", bounds = c(0.75, 1.35),
                       epsilon = 1e-13, maxit = 200),
  post = postStratify(des, ~sex + age_group, cells)
)
cal$trim <- trimWeights(cal$raking, lower = 80, upper = 300)
cal$trim_strict <- trimWeights(cal$raking, upper = 300, strict = TRUE)
calls <- list(
  linear = "calibrate(des, ~region+sex+age_group, pop, calfun='linear')",
  linear_b = "calibrate(des, ~region+sex+age_group, pop, calfun='linear', bounds=c(0.75,1.35))",
  raking = "calibrate(des, ~region+sex+age_group, pop, calfun='raking')",
  raking_b = "calibrate(des, ~region+sex+age_group, pop, calfun='raking', bounds=c(0.75,1.35))",
  post = "postStratify(des, ~sex+age_group, cells)",
  trim = "trimWeights(calibrate(..., calfun='raking'), lower=80, upper=300)",
  trim_strict = "trimWeights(calibrate(..., calfun='raking'), upper=300, strict=TRUE)"
)
# bounds hold and some bite, so that the bounded cases differ from the unbounded ones
g_lb <- weights(cal$linear_b) / d$w0
g_rb <- weights(cal$raking_b) / d$w0
stopifnot(min(g_lb) >= 0.75 - 1e-9, max(g_lb) <= 1.35 + 1e-9)
stopifnot(any(abs(g_rb - 0.75) < 1e-9 | abs(g_rb - 1.35) < 1e-9))
stopifnot(any(weights(cal$raking) > 300), max(weights(cal$trim_strict)) <= 300 + 1e-9)
for (k in names(cal)) d[[paste0("w_", k)]] <- weights(cal[[k]])
write.csv(d, file.path(out, "calibrate_data.csv"), row.names = FALSE, na = "")

# ---- estimates ------------------------------------------------------------------------------
domain_row <- function(des, y, kind, mask, level = 0.95) {
  sub <- des[mask & !is.na(des$variables[[y]]), ]
  f <- as.formula(paste0("~", y))
  m <- if (kind == "total") svytotal(f, sub, na.rm = TRUE) else svymean(f, sub, na.rm = TRUE)
  df <- degf(sub)
  q <- qt(1 - (1 - level) / 2, df)
  if (kind == "proportion") {
    # svyciprop(method = "logit") is an intercept-only quasibinomial svyglm, whose SE on the
    # logit scale is SE(p) / (p (1 - p)). R 4.1.1's svyglm fails on a calibrated design whose
    # outcome has missing values (the NA rows stay in the design), so the interval is computed from
    # that identity, and checked against svyciprop where the variable has no missing value.
    p <- as.numeric(coef(m))
    ci <- plogis(qlogis(p) + c(-1, 1) * q * as.numeric(SE(m)) / (p * (1 - p)))
    if (!anyNA(des$variables[[y]])) {
      r <- suppressWarnings(svyciprop(as.formula(paste0("~I(", y, " == 1)")), sub,
                                      method = "logit", level = level, df = df))
      stopifnot(isTRUE(all.equal(ci, as.numeric(attr(r, "ci")), tolerance = 1e-6)))
    }
  } else {
    ci <- as.numeric(coef(m)) + c(-1, 1) * q * as.numeric(SE(m))
  }
  list(estimate = unname(coef(m))[1], se = unname(SE(m))[1], ci_low = ci[1], ci_high = ci[2],
       n = sum(mask & !is.na(des$variables[[y]])), df = df)
}

est_case <- function(method, dsn, y, kind, by = NULL) {
  v <- dsn$variables
  if (is.null(by)) {
    rows <- list(c(list(by = structure(list(), names = character(0))),
                   domain_row(dsn, y, kind, rep(TRUE, nrow(v)))))
  } else {
    key <- interaction(v[by], drop = TRUE)
    levs <- sort(unique(key[complete.cases(v[by])]))
    rows <- lapply(levs, function(l) {
      mask <- !is.na(key) & key == l
      first <- which(mask)[1]
      c(list(by = as.list(v[first, by, drop = FALSE])), domain_row(dsn, y, kind, mask))
    })
    FUN <- if (kind == "total") svytotal else svymean
    sb <- svyby(as.formula(paste0("~", y)), as.formula(paste0("~", paste(by, collapse = "+"))),
                dsn, FUN, na.rm = TRUE)
    stopifnot(isTRUE(all.equal(unname(coef(sb)), sapply(rows, `[[`, "estimate"),
                               tolerance = 1e-12)))
    stopifnot(isTRUE(all.equal(unname(SE(sb)), sapply(rows, `[[`, "se"), tolerance = 1e-12)))
  }
  list(id = paste(method, y, kind, if (is.null(by)) "" else paste("by", paste(by, collapse = "+"))),
       method = method, variable = y, kind = kind,
       by = if (is.null(by)) NULL else as.list(by), level = 0.95,
       r_call = sprintf("svyby(~%s, ~%s, %s, svy%s, na.rm=TRUE)", y,
                        if (is.null(by)) "1" else paste(by, collapse = "+"), calls[[method]],
                        if (kind == "total") "total" else "mean"),
       rows = rows)
}

glm_case <- function(method, dsn, formula, family) {
  fam <- if (family == "binomial") quasibinomial() else gaussian()
  g <- suppressWarnings(svyglm(as.formula(formula), dsn, family = fam, control = tight))
  list(id = paste(method, "svyglm", formula), method = method, formula = formula,
       family = family, terms = names(coef(g)), coef = unname(coef(g)),
       se = unname(sqrt(diag(vcov(g)))), df_residual = g$df.residual)
}

cases <- list()
glms <- list()
for (k in names(cal)) {
  dsn <- cal[[k]]
  cases[[length(cases) + 1]] <- est_case(k, dsn, "y", "mean")
  cases[[length(cases) + 1]] <- est_case(k, dsn, "y", "total")
  cases[[length(cases) + 1]] <- est_case(k, dsn, "b_na", "proportion")
  cases[[length(cases) + 1]] <- est_case(k, dsn, "y", "mean", by = "grp")
  cases[[length(cases) + 1]] <- est_case(k, dsn, "b_na", "proportion", by = c("region", "grp"))
  cases[[length(cases) + 1]] <- est_case(k, dsn, "y", "total", by = "sex")
  cases[[length(cases) + 1]] <- est_case(k, dsn, "b", "proportion", by = "age_group")
  glms[[length(glms) + 1]] <- glm_case(k, dsn, "b ~ x1 + sex", "binomial")
  glms[[length(glms) + 1]] <- glm_case(k, dsn, "y ~ x1 + age_group", "gaussian")
}

margins <- list(
  region = as.list(pop_region), sex = as.list(pop_sex), age_group = as.list(pop_age),
  cells = lapply(seq_len(nrow(cells)), function(i) as.list(cells[i, ]))
)
expected <- list(
  r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
  design = list(weight = "w0", strata = "region", psu = "psu", fpc = NULL, lonely_psu = "fail"),
  margins = margins, calls = calls,
  trim = list(trim = list(lower = 80, upper = 300, strict = FALSE),
              trim_strict = list(lower = NULL, upper = 300, strict = TRUE)),
  bounds = list(linear_b = c(0.75, 1.35), raking_b = c(0.75, 1.35)),
  cases = cases, glms = glms
)
writeLines(toJSON(expected, auto_unbox = TRUE, digits = NA, null = "null", na = "null",
                  pretty = TRUE),
           file.path(out, "calibrate_expected.json"))
cat("wrote", length(cases), "estimate cases and", length(glms), "svyglm cases\n")
