"""Top-level tests: see the root conftest.py for shared fixtures and the PostgreSQL policy."""
