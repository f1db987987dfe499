"""Framework-free helpers, each with its own tests in tests/lib/."""
