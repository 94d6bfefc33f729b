"""A bare Django app for the two-server bench: one view that inserts one row in a transaction.

Served by the same gunicorn config, on the same database and pool settings as the app,
so the bench's ratio is the cost of the report path itself.
"""
