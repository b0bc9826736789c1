"""Freeze requests from police to platforms, and the platforms' signed answers."""
