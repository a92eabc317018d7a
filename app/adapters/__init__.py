"""Adapters to what lies outside the domain: JSON-LD documents, JSON Schemas, keys, DIDs."""
