"""Numbers only: frames in, frames out, no words and no figures.

Per-pupil finance (summed dollars over summed pupils), outcomes, equity statistics and privacy
suppression; analyses turn these numbers into sentences and charts.

May import: ``rar_protocol.data`` and the leaves ``rar_protocol.errors`` and ``rar_protocol.files``.
"""
