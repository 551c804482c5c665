"""Privilege-escalation paths: the methods are data (``methods.yaml``), the evaluator is code."""
