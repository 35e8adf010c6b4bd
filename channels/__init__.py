"""Doors into the intake pipeline: thin adapters that may import intake, never the reverse."""
