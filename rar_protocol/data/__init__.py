"""Data in: a district's files become a validated :class:`~rar_protocol.data.loading.Review`.

Table specs (``schema``), the review YAML (``config``), Michigan's published layouts (``formats``),
reading CSV/XLSX/YAML as text (``reading``), parsing values as people type them (``parsing``),
mapping a district's own layout onto the tables (``mapping``), the general ledger (``ledger``),
loading and validating everything together (``loading``), problems with file, row, column and fix
(``problems``), the data dictionary (``dictionary``), state-wide files (``statewide``) and blank
templates (``scaffold``).

May import: nothing of the package above it (only the leaves ``rar_protocol.errors`` and ``rar_protocol.files``).
"""
