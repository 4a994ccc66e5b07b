"""Collectors: talk to forges and yield typed records. They know nothing of storage."""
