"""One module per source tool. Each has a module-level INFO and a pure `parse(payload, *, received_at)`."""
