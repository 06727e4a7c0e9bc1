"""Typed settings and the strict pipeline configuration."""
