"""Cross-cutting security tests: URL coverage, tenancy, audit, bad input, files, settings."""
