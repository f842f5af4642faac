"""The console platform: the embedded default."""
