"""The figures layer: one module per report's figures, plus the shared look (:mod:`.style`).

Each function takes a result or a tidy frame and ``ax=None``, draws on the given axes (or a
new figure), and returns the axes. matplotlib is imported here and nowhere below.
"""
