"""Interview flows as data: the schema, the loader, the condition language, the linter and graphs."""
