"""Statistics from the pseudonymised warehouse: tables per STATISTICS.md, disclosure control, publication."""
