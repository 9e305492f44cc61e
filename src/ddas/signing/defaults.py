"""Defaults of the development PKI, in a module light enough for the command line to import at start-up."""

__all__ = ["DEFAULT_CONSUMER_OIN", "DEFAULT_DAYS", "DEFAULT_PROVIDER_OIN"]

DEFAULT_DAYS = 730
#: Test OINs (20 digits, as in PKIoverheid certificates' subject serialNumber); not real organisations.
DEFAULT_PROVIDER_OIN = "00000001234567890000"
DEFAULT_CONSUMER_OIN = "00000001003214345000"
