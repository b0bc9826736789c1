"""The payee check: warn people before they pay a known mule or suspect account."""
