"""Exports of a finished case: Markdown, JSON and FHIR. Each reads the same Result."""
