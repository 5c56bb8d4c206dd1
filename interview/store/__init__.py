"""The case store: cases kept in one SQLite file, their answers an append-only event log."""
