"""placeholder: replaced by the store commands."""
