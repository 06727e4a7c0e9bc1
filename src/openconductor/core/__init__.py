"""The domain: alerts, incidents and the vocabulary around them. Pure Python; imports nothing of ours."""
