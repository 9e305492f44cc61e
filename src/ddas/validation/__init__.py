"""The validator: bytes → JSON → schema → rule catalogue, in one pass, reporting every finding."""
