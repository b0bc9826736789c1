"""Cases: the evidence of an alert gathered into a package with a hashed manifest."""
