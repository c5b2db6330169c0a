"""Partner-relationship quality from coded interviews."""
