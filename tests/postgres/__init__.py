"""Tests against a real PostgreSQL server that the test setup starts (see conftest.py)."""
