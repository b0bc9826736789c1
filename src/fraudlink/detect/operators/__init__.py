"""Operators: enrichments that add fields to events, and detectors that keep per-key state."""
