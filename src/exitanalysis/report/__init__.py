"""The report layer: from executed notebooks to a published report.

The pipeline behind ``exitanalysis run`` (:mod:`.pipeline`), pages and the manifest
(:mod:`.rendering`, with :data:`~.rendering.TEMPLATES`), and showing and writing figures and
tables (:mod:`.outputs`).
"""
