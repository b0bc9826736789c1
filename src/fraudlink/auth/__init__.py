"""Staff authentication: passwords (argon2id), TOTP second factor, login throttling."""
