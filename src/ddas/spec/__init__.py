"""The DDAS exchange models (SHV v1.0, VS v0.9), kind detection and JSON Schema export.

- ``kinds``: which model a document follows;
- ``enums``: the published enumerations (``Literal`` aliases, ``StrEnum`` classes, plain tuples);
- ``shv`` / ``vs``: pydantic models of every object and field, under the published names;
- ``models``: ``load_document`` / ``dump_document``, an exact round trip;
- ``schema``: ddas's own JSON Schema generated from the models, and a fast validator that agrees with
  the reference;
- ``formats``: the reference validator's ``format`` checks, in plain Python.

Nothing is imported here, so that ``import ddas.spec.schema`` stays free of pydantic.
"""
