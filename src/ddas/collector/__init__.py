"""The collecting side (SPEC.md §7): the provider directory, fetching and verifying pages, the raw archive and
the op-orde-rapport by mail.

Nothing is imported here, so that importing one part (say `ddas.collector.errors`) does not load the others.
"""
