"""The collector's warehouse: pseudonymised persons, extracted rows and trajecten merged across deliveries.

Modules are imported where they are used (`ddas.warehouse.pseudonym`, `ddas.warehouse.merge`, …): the package
itself loads nothing, so importing one part never pulls in the others.
"""
