"""The data analysis protocol's data object and its presentation.

``data_object`` (a table with its observations, sources and a figure drawn on demand), ``words``
(sentences written from numbers), ``figures`` (every chart, in the house style), ``display``
(report HTML), ``export`` (MICIP files under MICIP's naming convention) and ``prompts`` (Predict,
Observe, Infer, Additional data needed, and the team's answers).

May import: ``rar_protocol.data``, ``rar_protocol.measures`` and the leaves ``rar_protocol.errors`` and ``rar_protocol.files``.
"""
