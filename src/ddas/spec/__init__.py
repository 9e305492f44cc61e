"""The DDAS exchange models (SHV v1.0, VS v0.9), kind detection and JSON Schema export."""
