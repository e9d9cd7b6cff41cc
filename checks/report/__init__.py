"""The ``mailtriage report`` object: JSON-ready output built from the result dataclasses."""
