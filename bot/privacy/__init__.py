"""Keeping residents' personal data out of places it does not belong (logs)."""
