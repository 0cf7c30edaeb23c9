"""Kanelbulle: a relationship-first sales system."""

__version__ = "0.1.0"
