"""marshmallow schemas of the documents at the edges: shared by the API, pages and CLI."""
