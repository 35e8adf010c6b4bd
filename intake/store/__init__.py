"""The database: models, sessions, migrations."""
