"""Marshmallow schemas of the documents at the edges, shared by the API, the pages and the command line."""
