"""SQLAlchemy table rows, one module per aggregate."""
