"""Model setup (placeholder)."""
