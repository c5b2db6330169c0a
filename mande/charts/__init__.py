"""The dashboard's first-screen charts, drawn on the server as inline SVG (with :mod:`mande.draw`):
the regional map (:mod:`mande.charts.maps`), the indicator trend and breakdown
(:mod:`mande.charts.trends`) and the partner figures (:mod:`mande.charts.partners`). Each function
takes the figures mande computed and returns markup; none computes a statistic."""
