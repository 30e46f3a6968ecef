"""The repo's own tests use the pytest plugin every plugin author gets (core/testing.py)."""
