"""The built-in rule pack, shipped as package data (``pack.yaml``)."""
