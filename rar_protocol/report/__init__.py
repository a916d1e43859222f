"""Reports out: a review's notebooks executed with papermill, rendered to HTML and PDF, and indexed.

One module per step of a run: ``plan`` (which reports a review asks for, the run's options and
folder), ``execute`` (making one report: papermill, its HTML, its PDF, its failure), ``batch`` (every
report of a run: workers, manifest, index page, --resume, an ISD's index), ``kernels`` (warm kernels
forked from a server that has done the imports), ``html`` (offline HTML with nbconvert), ``pdf``
(Chromium over DevTools, WeasyPrint as the fallback), ``provenance`` (what a run was made from) and
``context`` (what a notebook needs to be a report).

May import: ``data``, ``measures``, ``protocol``, ``analyses`` and the leaves ``rar_protocol.errors``
and ``rar_protocol.files``; never ``cli``.
"""
