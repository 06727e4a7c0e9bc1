"""The `openconductor` command line (Typer + Rich); commands call the same services as the API."""
