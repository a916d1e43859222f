"""The analyses behind each report: one module per report kind, and the registry that lists them.

Each analysis module turns a review into data objects for one report (the district financial
review, review options 1-4, the equity determination); ``registry`` is the one place that knows
the report kinds, and ``inventory`` what a review's data can show for each.

May import: ``data``, ``measures``, ``protocol`` and ``analyses.registry``; never ``report``, never
``cli`` and never a sibling analysis (what two analyses share lives in a lower layer).
"""
