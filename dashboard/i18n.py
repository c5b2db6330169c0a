"""Interface text in English and French. Indicator names come from the catalogue, not from here."""

from __future__ import annotations

from mande.notes import SUPPRESSED

TEXT: dict[str, dict[str, str]] = {
    "app_title": {
        "en": "mande: people-centric monitoring",
        "fr": "mande : suivi centré sur les personnes",
    },
    "language": {"en": "Language", "fr": "Langue"},
    "signed_in_as": {"en": "Signed in as", "fr": "Connecté(e) en tant que"},
    "role": {"en": "Role", "fr": "Rôle"},
    "sign_in": {"en": "Sign in", "fr": "Se connecter"},
    "sign_out": {"en": "Sign out", "fr": "Se déconnecter"},
    "overview": {"en": "Overview", "fr": "Vue d'ensemble"},
    "explorer": {"en": "Indicator explorer", "fr": "Explorateur d'indicateurs"},
    "partners": {"en": "Partners", "fr": "Partenaires"},
    "upload": {"en": "Upload", "fr": "Téléversement"},
    "reports": {"en": "Reports", "fr": "Rapports"},
    "data_audit": {"en": "Data & audit", "fr": "Données et audit"},
    "rounds": {"en": "Survey rounds", "fr": "Vagues d'enquête"},
    "round": {"en": "Round", "fr": "Vague"},
    "respondents": {"en": "Respondents", "fr": "Enquêtés"},
    "fieldwork": {"en": "Fieldwork", "fr": "Collecte"},
    "no_data": {
        "en": "No survey round is loaded yet. An officer can upload one, or run `mande demo load sample_data`.",
        "fr": "Aucune vague d'enquête n'est chargée. Un(e) chargé(e) de S&E peut en téléverser une, ou lancer `mande demo load sample_data`.",
    },
    "not_allowed": {
        "en": "Your role does not allow this page.",
        "fr": "Votre rôle ne donne pas accès à cette page.",
    },
    "latest_round": {
        "en": "Latest round: {round} ({n} respondents), reporting period {period}. Changes are since {previous} (period {previous_period}).",
        "fr": "Dernière vague : {round} ({n} enquêtés), période {period}. Les évolutions sont mesurées depuis {previous} (période {previous_period}).",
    },
    "ci95": {"en": "95% CI", "fr": "IC à 95 %"},
    "change_not_significant": {
        "en": "no significant change",
        "fr": "pas d'évolution significative",
    },
    "significant_changes": {
        "en": "Significant changes since the previous period",
        "fr": "Évolutions significatives depuis la période précédente",
    },
    "no_significant_change": {
        "en": "No change since the previous period is statistically significant.",
        "fr": "Aucune évolution depuis la période précédente n'est statistiquement significative.",
    },
    "fdr_note": {
        "en": "Significant after Benjamini-Hochberg false-discovery-rate control (q = {q}) over one family: {family} ({m} comparisons). The interval beside a change is false-coverage-rate adjusted (Benjamini-Yekutieli, {level} level): it excludes zero exactly when the change is significant.",
        "fr": "Significatif après contrôle du taux de fausses découvertes de Benjamini-Hochberg (q = {q}) sur une seule famille : {family} ({m} comparaisons). L'intervalle d'une évolution est ajusté pour le taux de fausse couverture (Benjamini-Yekutieli, niveau {level}) : il exclut zéro exactement quand l'évolution est significative.",
    },
    "change_ci": {"en": "Change, adjusted CI", "fr": "Évolution, IC ajusté"},
    "change_ci_unadjusted": {
        "en": "Unadjusted 95% CI (analysts)",
        "fr": "IC à 95 % non ajusté (analystes)",
    },
    "not_compared": {"en": "not compared", "fr": "non comparé"},
    "small_partners_note": {
        "en": "Greyed: fewer than {partners} partner organisations or {interviews} interviews; the figure is shown for information, not compared or ranked.",
        "fr": "En grisé : moins de {partners} organisations partenaires ou de {interviews} entretiens ; le chiffre est donné à titre indicatif, sans comparaison ni classement.",
    },
    "few_units_note": {
        "en": "Greyed: alpha from fewer than {units} double-coded interviews; too few to judge agreement.",
        "fr": "En grisé : alpha calculé sur moins de {units} entretiens codés deux fois ; trop peu pour juger de l'accord.",
    },
    "partner_table": {
        "en": "Relationship quality by partner type in the period",
        "fr": "Qualité de la relation par type de partenaire pendant la période",
    },
    "model_window": {
        "en": "Data: {window} (every interview up to the end of the period).",
        "fr": "Données : {window} (tous les entretiens jusqu'à la fin de la période).",
    },
    "partner_type": {"en": "Partner type", "fr": "Type de partenaire"},
    "rqi": {"en": "Relationship quality (0-100)", "fr": "Qualité de la relation (0-100)"},
    "n_partners": {"en": "Partners", "fr": "Partenaires"},
    "n_interviews": {"en": "Interviews", "fr": "Entretiens"},
    "flag": {"en": "Note", "fr": "Note"},
    "small_numbers": {"en": "small numbers", "fr": "petits effectifs"},
    "indicator": {"en": "Indicator", "fr": "Indicateur"},
    "breakdown": {"en": "Breakdown", "fr": "Ventilation"},
    "group": {"en": "Group", "fr": "Groupe"},
    "change": {"en": "Change", "fr": "Évolution"},
    "verdict": {"en": "Verdict", "fr": "Appréciation"},
    "map": {"en": "By region", "fr": "Par région"},
    "map_indicator": {"en": "Indicator on the map", "fr": "Indicateur sur la carte"},
    "spark_label": {
        "en": "{name}: trend over {k} rounds on a fixed {lo} to {hi} scale, with its 95% confidence band",
        "fr": "{name} : évolution sur {k} vagues, sur une échelle fixe de {lo} à {hi}, avec sa bande de confiance à 95 %",
    },
    "cards_note": {
        "en": "Each card's n is in its tooltip. Each line is drawn on a fixed scale (0–100 for percentages) with its 95% confidence band; an arrow marks a change significant after false-discovery-rate control.",
        "fr": "Le n de chaque carte figure dans son infobulle. Chaque courbe est tracée sur une échelle fixe (de 0 à 100 pour les pourcentages) avec sa bande de confiance à 95 % ; une flèche signale une évolution significative après contrôle du taux de fausses découvertes.",
    },
    "map_note": {
        "en": "Grey areas have too few respondents. Each area's tooltip gives its round, estimate, confidence interval and n.",
        "fr": "Les zones grises comptent trop peu de répondants. L'infobulle de chaque zone donne la vague, l'estimation, l'intervalle de confiance et n.",
    },
    "map_admin2": {
        "en": "{k} areas are admin 2 units, shown where each has enough respondents (reporting policy).",
        "fr": "{k} zones sont des unités administratives de niveau 2, affichées là où chacune compte assez de répondants (politique de diffusion).",
    },
    "breakdown_in": {"en": "Breakdown in {round}", "fr": "Ventilation en {round}"},
    "estimate": {"en": "Estimate", "fr": "Estimation"},
    "suppressed": SUPPRESSED,  # mande's one wording
    "suppressed_note": {
        "en": "Suppressed: fewer respondents than the indicator's minimum; the estimate is not shown.",
        "fr": "Masqué : moins d'enquêtés que le minimum de l'indicateur ; l'estimation n'est pas affichée.",
    },
    "download_csv": {"en": "Download as CSV", "fr": "Télécharger en CSV"},
    "no_interviews": {
        "en": "No partner-interview coding sheet is loaded yet.",
        "fr": "Aucune grille de codage d'entretiens avec les partenaires n'est chargée.",
    },
    "rqi_heatmap": {
        "en": "Relationship quality (0-100) by partner type and period",
        "fr": "Qualité de la relation (0-100) par type de partenaire et période",
    },
    "rqi_note": {
        "en": "Relationship-quality index: mean of trust, mutual benefit and cooperation, rescaled to 0-100. Intervals: cluster bootstrap over partner organisations, one generator per partner type and period. Values in brackets rest on fewer than {partners} partners or {interviews} interviews: shown for information, not compared.",
        "fr": "Indice de qualité de la relation : moyenne de la confiance, du bénéfice mutuel et de la coopération, ramenée sur 0-100. Intervalles : bootstrap par grappes d'organisations partenaires, un générateur par type de partenaire et période. Les valeurs entre parenthèses reposent sur moins de {partners} partenaires ou {interviews} entretiens : données à titre indicatif, sans comparaison.",
    },
    "robust_comparison": {
        "en": "Where the mission ran robust operations",
        "fr": "Là où la mission a mené des opérations robustes",
    },
    "model_unavailable": {
        "en": "Not enough interviews in and outside robust-operation areas to compare.",
        "fr": "Trop peu d'entretiens dans et hors des zones d'opérations robustes pour comparer.",
    },
    "model_note": {
        "en": "Mixed model with a random intercept per partner organisation; {n} interviews with {partners} organisations, {robust} under robust operations.",
        "fr": "Modèle mixte avec un intercept aléatoire par organisation partenaire ; {n} entretiens avec {partners} organisations, dont {robust} sous opérations robustes.",
    },
    "dimensions": {
        "en": "Dimensions by partner type (1-5)",
        "fr": "Dimensions par type de partenaire (1-5)",
    },
    "positions": {
        "en": "Coercion (1) - cooperation (5) continuum",
        "fr": "Continuum coercition (1) - coopération (5)",
    },
    "themes": {
        "en": "Themes raised (per cent of interviews)",
        "fr": "Thèmes abordés (pour cent des entretiens)",
    },
    "themes_note": {
        "en": "Share of interviews with each partner type in which the theme came up, all periods.",
        "fr": "Part des entretiens avec chaque type de partenaire où le thème a été abordé, toutes périodes.",
    },
    "theme": {"en": "Theme", "fr": "Thème"},
    "reliability": {"en": "Agreement between coders", "fr": "Accord entre codeurs"},
    "reliability_note": {
        "en": "Krippendorff's alpha (ordinal) on the double-coded interviews; 0.8 or more is reliable, 0.667 to 0.8 tentative.",
        "fr": "Alpha de Krippendorff (ordinal) sur les entretiens codés deux fois ; 0,8 ou plus est fiable, de 0,667 à 0,8 provisoire.",
    },
    "no_double_coding": {
        "en": "No interview was coded twice.",
        "fr": "Aucun entretien n'a été codé deux fois.",
    },
    "all_themes": {"en": "All themes", "fr": "Tous les thèmes"},
    "quotes": {"en": "Quotes (with consent)", "fr": "Citations (avec consentement)"},
    "no_quotes": {"en": "No consented quote.", "fr": "Aucune citation consentie."},
    "validation_failed": {
        "en": "The file cannot be accepted: {n} problem(s) to fix. Nothing was stored.",
        "fr": "Le fichier ne peut pas être accepté : {n} problème(s) à corriger. Rien n'a été enregistré.",
    },
    "validation_ok": {
        "en": "Checked: {n} respondents ready to commit.",
        "fr": "Vérifié : {n} enquêtés prêts à être enregistrés.",
    },
    "validation_ok_iv": {
        "en": "Checked: {n} coded interviews ready to commit.",
        "fr": "Vérifié : {n} entretiens codés prêts à être enregistrés.",
    },
    "form": {"en": "XLSForm of this export", "fr": "XLSForm de cet export"},
    "other_form": {"en": "…or upload another XLSForm", "fr": "…ou téléverser un autre XLSForm"},
    "need_form": {
        "en": "Upload the XLSForm this export was collected with.",
        "fr": "Téléversez le XLSForm utilisé pour cette collecte.",
    },
    "round_label": {"en": "Round label", "fr": "Nom de la vague"},
    "sheet_label": {"en": "Sheet label", "fr": "Nom de la grille"},
    "checking": {
        "en": "Reading and checking the file…",
        "fr": "Lecture et vérification du fichier…",
    },
    "mapping": {
        "en": "Mapping to the standard items",
        "fr": "Correspondance avec les items standard",
    },
    "warnings": {
        "en": "{n} warning(s): worth a look, they do not block.",
        "fr": "{n} avertissement(s) : à examiner, sans blocage.",
    },
    "personal_removed": {
        "en": "Personal data removed on ingest: {cols}.",
        "fr": "Données personnelles retirées à l'import : {cols}.",
    },
    "design_kind": {"en": "Sample design", "fr": "Plan de sondage"},
    "design_columns": {
        "en": "weights, strata and clusters from the export's columns (named in the mapping)",
        "fr": "poids, strates et grappes lus dans les colonnes de l'export (nommées dans la correspondance)",
    },
    "design_srs": {
        "en": "none: simple random or convenience sample (equal weights; every output says so)",
        "fr": "aucun : échantillon aléatoire simple ou de convenance (poids égaux ; chaque sortie le signale)",
    },
    "round_pick": {
        "en": "Round (from the survey rounds in mission.yaml)",
        "fr": "Vague (parmi les vagues d'enquête de mission.yaml)",
    },
    "round_new": {
        "en": "another round, not in mission.yaml",
        "fr": "autre vague, absente de mission.yaml",
    },
    "round_not_planned": {
        "en": "Round {label} is not in mission.yaml: its fieldwork dates cannot be checked. Add it under surveys: in mission.yaml.",
        "fr": "La vague {label} n'est pas dans mission.yaml : ses dates de terrain ne peuvent pas être vérifiées. Ajoutez-la sous surveys: dans mission.yaml.",
    },
    "need_round": {"en": "Give the round a label.", "fr": "Donnez un nom à la vague."},
    "unchanged": {
        "en": "Unchanged: this file is already round {label}, version {version}. Nothing was stored.",
        "fr": "Inchangé : ce fichier est déjà la vague {label}, version {version}. Rien n'a été enregistré.",
    },
    "replace_warning": {
        "en": "Round {label} already has a current version (version {version}, {n} respondents{period}). Committing makes this file the current version: every figure of the round changes.",
        "fr": "La vague {label} a déjà une version courante (version {version}, {n} enquêtés{period}). Enregistrer fait de ce fichier la version courante : tous les chiffres de la vague changent.",
    },
    "replace_reported": {
        "en": ", already reported in period {period}",
        "fr": ", déjà publiée pour la période {period}",
    },
    "confirm_replace": {
        "en": "I replace the current version of this round",
        "fr": "Je remplace la version courante de cette vague",
    },
    "counts_title": {"en": "Respondents by region", "fr": "Enquêtés par région"},
    "count_n": {"en": "respondents", "fr": "enquêtés"},
    "count_share": {"en": "weighted share", "fr": "part pondérée"},
    "problems_title": {"en": "Problems found", "fr": "Problèmes trouvés"},
    "commit": {"en": "Commit to the store", "fr": "Enregistrer dans la base"},
    "committing": {"en": "Committing…", "fr": "Enregistrement…"},
    "storing": {"en": "Storing the new version…", "fr": "Enregistrement de la nouvelle version…"},
    "computing": {"en": "Recomputing the indicators…", "fr": "Recalcul des indicateurs…"},
    "committed": {
        "en": "Committed: {label}, version {version}.",
        "fr": "Enregistré : {label}, version {version}.",
    },
    "upload_kind": {"en": "What are you uploading?", "fr": "Que téléversez-vous ?"},
    "kind_survey": {"en": "Survey export (Kobo/ODK)", "fr": "Export d'enquête (Kobo/ODK)"},
    "kind_interviews": {
        "en": "Partner-interview coding sheet",
        "fr": "Grille de codage des entretiens",
    },
    "drop_file": {
        "en": "Drop the file here (.xlsx, .xls, .csv)",
        "fr": "Déposez le fichier ici (.xlsx, .xls, .csv)",
    },
    "period": {"en": "Reporting period", "fr": "Période couverte"},
    "report_language": {"en": "Language of the report", "fr": "Langue du rapport"},
    "build_report": {
        "en": "Build the annex and the draft",
        "fr": "Produire l'annexe et le projet de texte",
    },
    "building": {"en": "Building the report…", "fr": "Production du rapport…"},
    "download_annex": {"en": "Download the Excel annex", "fr": "Télécharger l'annexe Excel"},
    "download_draft": {
        "en": "Download the narrative draft (Word)",
        "fr": "Télécharger le projet de texte (Word)",
    },
    "make_current": {"en": "Version to make current", "fr": "Version à rendre courante"},
    "set_current": {"en": "Make this version current", "fr": "Rendre cette version courante"},
    "now_current": {
        "en": "{label}: version {version} is now current.",
        "fr": "{label} : la version {version} est désormais courante.",
    },
    "audit_log": {"en": "Audit log", "fr": "Journal d'audit"},
    "email_not_verified": {
        "en": "Your identity provider has not verified this account's e-mail address, so it cannot sign in. Ask your administrator, then sign in again.",
        "fr": "Votre fournisseur d'identité n'a pas vérifié l'adresse électronique de ce compte ; il ne peut pas se connecter. Adressez-vous à votre administrateur, puis reconnectez-vous.",
    },
    "auth_misconfigured": {
        "en": "The dashboard will not start: its sign-in settings are unsafe. An administrator must fix them (the reason is in the server's log).",
        "fr": "Le tableau de bord ne démarre pas : ses réglages de connexion ne sont pas sûrs. Un administrateur doit les corriger (la raison figure dans le journal du serveur).",
    },
    "unexpected_error": {
        "en": "Something went wrong on this page. Nothing was changed by it. Give this reference to your administrator: {ref}.",
        "fr": "Une erreur est survenue sur cette page. Elle n'a rien modifié. Communiquez cette référence à votre administrateur : {ref}.",
    },
    "error_reference": {"en": "reference", "fr": "référence"},
    "sign_in_needed": {
        "en": "Sign in with your mission account to see the dashboard.",
        "fr": "Connectez-vous avec votre compte de la mission pour accéder au tableau de bord.",
    },
    "own_form": {
        "en": "This form has its own question names. mande suggests how they map to the standard items: check them (low confidence first), fix what is wrong, then confirm.",
        "fr": "Ce formulaire a ses propres noms de questions. mande propose leur correspondance avec les items standard : vérifiez-la (faible confiance d'abord), corrigez, puis confirmez.",
    },
    "mapping_file": {
        "en": "…or upload a mapping file (YAML)",
        "fr": "…ou téléverser un fichier de correspondance (YAML)",
    },
    "standard_item": {"en": "Standard item", "fr": "Item standard"},
    "download_mapping": {
        "en": "Download this mapping (YAML)",
        "fr": "Télécharger cette correspondance (YAML)",
    },
    "confirm_mapping": {"en": "I have checked the mapping", "fr": "J'ai vérifié la correspondance"},
    "plan": {"en": "Plan a round", "fr": "Planifier une vague"},
    "plan_intro": {
        "en": "From the village frame and a target margin of error per region: how many interviews, which villages the teams visit (drawn with probability proportional to population, reproducible by the seed), the field list for the teams and the plan file the weighting step reads.",
        "fr": "À partir de la base de sondage des villages et d'une marge d'erreur visée par région : combien d'entretiens, quels villages les équipes visitent (tirés avec une probabilité proportionnelle à la population, reproductible par la graine), la liste de terrain des équipes et le fichier du plan que la pondération lit.",
    },
    "plan_frame": {
        "en": "Village frame (.csv or .xlsx: psu, village, region, admin2, urban_rural, population)",
        "fr": "Base de sondage des villages (.csv ou .xlsx : psu, village, region, admin2, urban_rural, population)",
    },
    "plan_need_frame": {
        "en": "Upload the mission's village frame to plan a round (the sample mission's is sample_data/frame.csv).",
        "fr": "Téléversez la base de sondage des villages de la mission pour planifier une vague (celle de la mission fictive : sample_data/frame.csv).",
    },
    "plan_frame_summary": {
        "en": "{villages} villages in {regions} regions, population {population}",
        "fr": "{villages} villages dans {regions} régions, population {population}",
    },
    "plan_moe": {"en": "Target margin of error (points)", "fr": "Marge d'erreur visée (points)"},
    "plan_moe_region": {
        "en": "Targets per region (points; edit to differ from the default)",
        "fr": "Cibles par région (points ; modifier pour s'écarter de la valeur par défaut)",
    },
    "plan_take": {"en": "Interviews per village", "fr": "Entretiens par village"},
    "plan_replacements": {
        "en": "Replacement villages per region",
        "fr": "Villages de remplacement par région",
    },
    "plan_seed": {"en": "Seed of the draw", "fr": "Graine du tirage"},
    "plan_round": {"en": "Round label", "fr": "Nom de la vague"},
    "plan_advanced": {"en": "Assumptions", "fr": "Hypothèses"},
    "plan_deff": {"en": "Design effect", "fr": "Effet de plan"},
    "plan_p": {"en": "Expected proportion", "fr": "Proportion attendue"},
    "plan_rr": {"en": "Expected response rate", "fr": "Taux de réponse attendu"},
    "plan_interviews": {"en": "Interviews", "fr": "Entretiens"},
    "plan_villages": {"en": "Villages to visit", "fr": "Villages à visiter"},
    "plan_spares": {"en": "Replacements", "fr": "Remplacements"},
    "plan_allocation": {
        "en": "Interviews and villages by region",
        "fr": "Entretiens et villages par région",
    },
    "plan_not_reportable": {
        "en": "Not within the target: {regions}. Raise the interviews there or accept a wider margin.",
        "fr": "Hors de la cible : {regions}. Augmenter les entretiens ou accepter une marge plus large.",
    },
    "plan_all_reportable": {
        "en": "Every region reaches its target margin of error.",
        "fr": "Toutes les régions atteignent leur marge d'erreur visée.",
    },
    "plan_map": {"en": "Villages drawn", "fr": "Villages tirés"},
    "plan_no_map": {
        "en": "No map: the mission has no region boundaries in the store, or the frame has no lon/lat.",
        "fr": "Pas de carte : la mission n'a pas de limites de régions dans la base, ou la base de sondage n'a pas de lon/lat.",
    },
    "plan_selected": {"en": "The villages drawn", "fr": "Les villages tirés"},
    "plan_download_field": {
        "en": "Download the field list (.xlsx)",
        "fr": "Télécharger la liste de terrain (.xlsx)",
    },
    "plan_download_plan": {
        "en": "Download the plan file (.csv)",
        "fr": "Télécharger le fichier du plan (.csv)",
    },
    "region": {"en": "Region", "fr": "Région"},
    "plan_order": {"en": "Order", "fr": "Ordre"},
    "plan_admin2": {"en": "Admin area", "fr": "Zone administrative"},
    "plan_village": {"en": "Village", "fr": "Village"},
    "plan_psu": {"en": "Village id", "fr": "Code du village"},
    "plan_area": {"en": "Area type", "fr": "Milieu"},
    "plan_prob": {"en": "Probability of selection", "fr": "Probabilité de sélection"},
    "plan_certainty": {"en": "Taken with certainty", "fr": "Retenu d'office"},
    "population": {"en": "Population", "fr": "Population"},
    "villages_in_frame": {"en": "Villages in frame", "fr": "Villages de la base"},
    "target_moe": {"en": "Target (points)", "fr": "Cible (points)"},
    "interviews_needed": {"en": "Interviews needed", "fr": "Entretiens nécessaires"},
    "expected_moe": {"en": "Expected margin (points)", "fr": "Marge attendue (points)"},
    "reportable": {"en": "Within target", "fr": "Dans la cible"},
    "footprint": {"en": "Footprint", "fr": "Empreinte"},
    "footprint_intro": {
        "en": "Where the mission's bases are and what it does, joined to what people say in the "
        "survey rounds. Every figure is an association, not an effect.",
        "fr": "Où sont les bases de la mission et ce qu'elle fait, rapprochés de ce que disent les "
        "personnes interrogées. Chaque chiffre est une association, non un effet.",
    },
    "no_footprint": {
        "en": "No deployments, boundaries or survey round are loaded yet. An officer can upload "
        "deployments and an activity log with `mande footprint ingest`, or run "
        "`mande demo load sample_data`.",
        "fr": "Aucun déploiement, aucune limite administrative ou aucune vague d'enquête n'est "
        "chargé. Un(e) chargé(e) de S&E peut téléverser les déploiements et le journal "
        "d'activités avec `mande footprint ingest`, ou lancer `mande demo load sample_data`.",
    },
    "map_layer": {"en": "Map layer", "fr": "Couche de la carte"},
    "footprint_models": {"en": "What the models find", "fr": "Ce que trouvent les modèles"},
    "duration_curve": {
        "en": "The longer the mission stays: predicted share favourable by years of presence",
        "fr": "Avec la durée de la présence : part favorable prédite selon les années de présence",
    },
    "caveats": {"en": "Read with care", "fr": "À lire avec prudence"},
    "exposure_table": {"en": "Exposure by area and round", "fr": "Exposition par zone et vague"},
    "model_terms": {"en": "Model coefficients", "fr": "Coefficients du modèle"},
    "exposed_comparison": {
        "en": "Areas with and without a base",
        "fr": "Zones avec et sans base",
    },
    "viewer": {"en": "viewer", "fr": "lecteur"},
    "officer": {"en": "officer", "fr": "chargé(e) de S&E"},
    "admin": {"en": "admin", "fr": "administrateur"},
    # the Trends page
    "trends": {"en": "Trends", "fr": "Tendances"},
    "trends_intro": {
        "en": "The average change per survey round (design-based linear trend), overall and by region, with its 95% confidence interval; a change around a mission event; and the model's line over the observed rounds.",
        "fr": "La variation moyenne par vague d'enquête (tendance linéaire fondée sur le plan de sondage), globale et par région, avec son intervalle de confiance à 95 % ; une variation autour d'un événement de la mission ; et la droite du modèle sur les vagues observées.",
    },
    "trend_all_regions": {"en": "All regions", "fr": "Toutes les régions"},
    "trend_slopes": {"en": "Change per round, by region", "fr": "Variation par vague, par région"},
    "trend_event": {"en": "Mission event", "fr": "Événement de la mission"},
    "trend_no_event": {"en": "None", "fr": "Aucun"},
    "trend_its": {"en": "Around the event", "fr": "Autour de l'événement"},
    "trend_slope": {"en": "Change per round", "fr": "Variation par vague"},
    "trend_verdict": {"en": "Verdict", "fr": "Verdict"},
    "trend_term_level_change": {
        "en": "Level change at the event",
        "fr": "Saut de niveau à l'événement",
    },
    "trend_term_slope_change": {
        "en": "Change of slope after the event",
        "fr": "Changement de pente après l'événement",
    },
    "trend_term_pre_trend": {"en": "Trend before the event", "fr": "Tendance avant l'événement"},
    "trend_term_pre_trend_difference": {
        "en": "Difference of earlier trends",
        "fr": "Différence des tendances antérieures",
    },
    "trend_needs_rounds": {
        "en": "A trend needs two survey rounds or more.",
        "fr": "Une tendance demande au moins deux vagues d'enquête.",
    },
}


def t(key: str, lang: str = "en") -> str:
    """The text for ``key`` in ``lang`` (English when there is no translation)."""
    entry = TEXT.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["en"]


# Weighting from the sample plan (Upload page)
TEXT.update(
    {
        "plan_help": {
            "en": "No weights in the export? Add the round's sample plan: the round is weighted "
            "from it and the mission's population margins.",
            "fr": "Pas de poids dans l'export ? Ajoutez le plan d'échantillonnage de la vague : "
            "elle est pondérée à partir de celui-ci et des marges de population de la mission.",
        },
        "plan_file": {
            "en": "Sample plan (CSV or xlsx, one row per PSU)",
            "fr": "Plan d'échantillonnage (CSV ou xlsx, une ligne par grappe)",
        },
        "weighting": {"en": "Weighting", "fr": "Pondération"},
        "g_range": {"en": "g-weights (min – max)", "fr": "Rapports de poids g (min – max)"},
        "kish_deff": {
            "en": "Kish's design effect from weighting",
            "fr": "Effet de plan de Kish dû à la pondération",
        },
        "response_rate": {"en": "Response rate", "fr": "Taux de réponse"},
        "response_by_class": {
            "en": "Response rates and non-response adjustment by weighting class",
            "fr": "Taux de réponse et ajustement de la non-réponse par classe",
        },
        "margins_achieved": {
            "en": "Population margins: before and after calibration",
            "fr": "Marges de population : avant et après calage",
        },
    }
)
