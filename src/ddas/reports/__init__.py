"""The reports of a validation, all drawn from the same `ValidationResult`.

`text` (the terminal), `json_report` (machines), `html` (the op-orde-rapport for suppliers, with its template
in `templates/`), and `completeness`, the field-fill profile the engine collects for the op-orde-rapport.
"""
