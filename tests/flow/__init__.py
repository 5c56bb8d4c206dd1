"""Tests of the flow room."""
