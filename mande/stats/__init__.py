"""Design-based estimation, trend models and reliability."""
