"""Helpers shared by the test suite (real servers, real browser)."""
