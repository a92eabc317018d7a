"""Verifiable credentials: OB 3.0 and CLR 2.0 documents, proofs, status lists, verification."""
