"""Sources: the disclosure texts as received and their provenance.

``reading`` reads a text (any common encoding) into numbered, de-noised lines; ``provenance``
owns the optional ``<id>.meta.yaml`` beside each text and the rules for ids; ``adding`` places
a new text among the sources (``python -m builder add``).
"""
