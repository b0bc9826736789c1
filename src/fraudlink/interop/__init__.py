"""Exports of a case package to the formats partner tools read: STIX 2.1, FollowTheMoney, MISP.

Each converter is pure: a verified package in, plain JSON-able data out, the same bytes for
the same package (ids are UUIDv5 of the case and the object's natural key; times come from
the data, never from the clock). The tests validate every output with the reference
library of its format.
"""
