"""SQLAlchemy rows and the repository functions that turn them into domain values."""
