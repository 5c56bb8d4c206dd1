"""Reading and writing the app's files: one module per direction."""
