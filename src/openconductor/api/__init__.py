"""The HTTP API (FastAPI): thin routers over the platform service, *Public schemas, error handling."""
