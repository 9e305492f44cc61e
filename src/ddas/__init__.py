"""ddas — the DDAS chain: exchange models, validator, provider, collector."""

__version__ = "0.1.0"
__all__ = ["__version__"]
