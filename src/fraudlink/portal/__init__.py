"""The public channel: people report a fraud with evidence; payees are matched at once."""
