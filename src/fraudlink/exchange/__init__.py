"""Sealed messages between organisations: keys, trust directory, envelopes, replay guard."""
