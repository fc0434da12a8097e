"""Step 01: read, validate, pseudonymise, flag quality, quarantine, reconcile."""
