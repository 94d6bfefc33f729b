"""Structured evaluations, findings, suggestions and orders (filled in by the evaluations issue)."""
