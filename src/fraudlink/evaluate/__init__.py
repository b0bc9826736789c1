"""Scores against ground truth: simulated worlds' truth, external datasets' labels,
analysts' verdicts. Measurement, not product: nothing in the product imports it.
"""
