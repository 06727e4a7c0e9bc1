"""Thin routers: decode, call the platform service, shape the answer."""
