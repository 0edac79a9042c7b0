"""Receivers of the shared core."""
