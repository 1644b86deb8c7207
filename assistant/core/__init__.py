"""Call model (placeholder)."""
