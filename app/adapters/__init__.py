"""Adapters to the world outside the domain: JSON-LD documents, JSON Schemas, key files, issuer DIDs."""
