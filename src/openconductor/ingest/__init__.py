"""Ingest: one pure parser per source tool, a registry of them, and the accept-and-persist service."""
