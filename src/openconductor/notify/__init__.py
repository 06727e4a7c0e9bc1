"""Outbound notifications: routing rules choose targets; a durable outbox delivers with retries."""
