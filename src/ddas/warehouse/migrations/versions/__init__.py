"""One module per warehouse schema revision, oldest first."""
