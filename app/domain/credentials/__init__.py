"""Verifiable credentials: Open Badges 3.0 and CLR 2.0 documents, Data Integrity proofs, status lists, verification."""
