"""The standard items and the indicator catalogue."""
