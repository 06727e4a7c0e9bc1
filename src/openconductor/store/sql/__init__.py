"""SQLAlchemy 2 implementation of the store; SQLite by default, PostgreSQL for production."""
