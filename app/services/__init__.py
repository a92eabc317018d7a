"""Use cases: take a Session, the acting party and plain values; commit exactly once."""
