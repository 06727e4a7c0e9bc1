"""Scoring correlation against labelled alert streams: metrics, baselines and the report."""
