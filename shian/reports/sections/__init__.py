"""A report's chapters, one module per family: the plan (plan.py), the core results of sampling,
inspections, risk grades and quick tests (results.py), supervision and reporting (supervision.py),
the jurisdiction (jurisdiction.py), the town index (index.py), and the problems and measures
derived from the figures (findings.py). Each function takes the `ReportData` and returns blocks."""
