"""Render executed notebooks into self-contained, offline HTML reports.

The HTML is the report: code inputs hidden, tagged cells dropped, images embedded, no script or
stylesheet fetched from the network, and a print stylesheet that the PDF printers share.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from rar_protocol.files import write_atomically

__all__ = ["PRINT_STYLESHEET", "render_html"]

REMOVE_CELL_TAG = "remove_cell"
REMOVE_INPUT_TAG = "remove_input"
REMOVE_OUTPUT_TAG = "remove_output"

# Applied after the JupyterLab theme CSS so these rules win; shared by Chromium and WeasyPrint (whose
# running header and footer, in @page margin boxes, are added by rar_protocol.report.pdf).
PRINT_STYLESHEET = """
body {
  font-family: "Segoe UI", "Helvetica Neue", "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
}
@page {
  size: letter;
  margin: 0.7in 0.5in 0.6in 0.5in;
}
@media print {
  html, body { background: #ffffff; }
  body { font-size: 10pt; line-height: 1.35; }
  main, body.jp-Notebook { padding: 0; margin: 0; }
  .jp-Cell { padding: 0 0 0.3em 0; }
  h1 { font-size: 17pt; margin: 0 0 0.3em 0; }
  h2 { font-size: 13.5pt; margin: 0.8em 0 0.3em 0; }
  h3 { font-size: 11.5pt; margin: 0.3em 0 0.3em 0; }
  p, ul { margin-top: 0.3em; margin-bottom: 0.4em; }
  /* The theme scrolls wide outputs horizontally; paper cannot scroll, so let them show. */
  .jp-OutputArea-output, .jp-RenderedHTMLCommon, .jp-RenderedHTML { overflow: visible !important; }
  /* JupyterLab keeps each cell output on one page; a data object is one output as long as a page,
     so that leaves half pages empty and headings alone at the foot of one. The parts are kept together below. */
  .jp-Cell, .jp-Cell-inputWrapper, .jp-Cell-outputWrapper, .jp-OutputArea, .jp-OutputArea-child { break-inside: auto !important; }
  /* No heading is the last line of a page: it goes with what follows. */
  h1, h2, h3, h4, h5, h6 { break-after: avoid; page-break-after: avoid; break-inside: avoid; }
  /* A section's heading and introduction (a markdown cell) go with the data object that follows. */
  .celltag_rar-keep-with-next { break-after: avoid; page-break-after: avoid; }
  .rar-files, .rar-label { break-after: avoid; page-break-after: avoid; }
  .rar-data-object { margin: 0.9em 0 0.6em 0; }
  li, .rar-prompt, .rar-sources, .rar-note, blockquote { break-inside: avoid; page-break-inside: avoid; }
  .rar-prompt p { break-after: avoid; page-break-after: avoid; margin-bottom: 0; }
  .rar-write-here hr { margin-top: 1.2em; }
  /* A chart and its table on one page where they fit (the report marks those pairs). */
  .rar-together { break-inside: avoid; page-break-inside: avoid; }
  img, svg, figure, .jp-RenderedImage, .jp-RenderedSVG {
    break-inside: avoid; page-break-inside: avoid;
    max-width: 100% !important; height: auto;
  }
  /* Charts print at the size the report chose for each (80% of drawn, never taller than a third of a page or so). */
  img.rar-figure { width: var(--rar-print-width, auto); margin: 0.4em auto; }
  /* Short tables stay on one page; a longer one breaks between rows and repeats its header row. */
  table { break-inside: avoid; page-break-inside: avoid; }
  .rar-long-table table { break-inside: auto; page-break-inside: auto; }
  thead { display: table-header-group; }
  tr, th, td { break-inside: avoid; page-break-inside: avoid; }
  /* Paper cannot scroll sideways: tables size their columns from their content and wrap cells between
     words; a table of many columns prints smaller so its headers' longest words still fit. */
  .jp-RenderedHTMLCommon table { table-layout: auto; max-width: 100%; font-size: 7.5pt; }
  .jp-RenderedHTMLCommon table.rar-wide { font-size: 6.5pt; }
  .jp-RenderedHTMLCommon table.rar-widest { font-size: 5.8pt; }
  .jp-RenderedHTMLCommon table.rar-widest th, .jp-RenderedHTMLCommon table.rar-widest td { padding: 0.15em 0.2em; }
  .jp-RenderedHTMLCommon th, .jp-RenderedHTMLCommon td { padding: 0.2em 0.35em; }
  .jp-RenderedHTMLCommon thead th { word-break: normal; overflow-wrap: normal; hyphens: manual; }
  .jp-RenderedHTMLCommon caption { font-size: 8.5pt; }
  /* School years and codes stay on one line (the theme's cell rules would wrap them at the hyphen). */
  .jp-RenderedHTMLCommon .rar-nowrap { white-space: nowrap; }
  /* Long MICIP file names wrap inside the text width instead of running off the page. */
  .rar-files code { white-space: normal; overflow-wrap: anywhere; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; }
}
"""

# Markdown cells with a heading are tagged so that the print stylesheet keeps them with the next cell.
KEEP_WITH_NEXT_TAG = "rar-keep-with-next"
HEADING_LINE = re.compile(r"^\s{0,3}#{1,6}\s", re.MULTILINE)

TEMPLATE_NAME = "rar_report.html.j2"

# Extends nbconvert's 'lab' template and empties every block that would load JavaScript
# from a CDN (require.js, MathJax, Mermaid, Jupyter widgets): the report must open offline.
REPORT_TEMPLATE = (
    "{%- extends 'index.html.j2' -%}\n"
    "{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}\n"
    "{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}\n"
    "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
    "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
    "{%- block html_head_css -%}\n"
    '<style type="text/css">{{ resources.rar_print_css }}</style>\n'
    "{%- endblock html_head_css -%}\n"
)

# Outputs (e.g. plotly in CDN mode) can still carry remote scripts or stylesheets; they
# cannot work offline and would make the browser wait on the network, so they are removed.
REMOTE_SCRIPT_PATTERN = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>.*?</script\s*>",
    re.IGNORECASE | re.DOTALL,
)
REMOTE_LINK_PATTERN = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>",
    re.IGNORECASE,
)


def render_html(
    notebook: nbformat.NotebookNode | Path,
    destination: Path,
    *,
    title: str | None = None,
) -> Path:
    """Render a notebook to an offline HTML report without code inputs and return its path."""
    destination = Path(destination)
    node, source_folder, default_title = _load_notebook(notebook)
    _tag_headings(node)
    if title is not None:
        node.metadata["title"] = title
    resources = {
        "metadata": {"name": default_title, "path": str(source_folder)},
        "rar_print_css": PRINT_STYLESHEET,
    }
    body, _ = _report_exporter().from_notebook_node(node, resources=resources)
    body = _strip_remote_resources(body)
    return write_atomically(destination, body.encode("utf-8"))


def _load_notebook(
    notebook: nbformat.NotebookNode | Path,
) -> tuple[nbformat.NotebookNode, Path, str]:
    """Return a private copy of the notebook, the folder its links resolve in, and a title."""
    if isinstance(notebook, (str, os.PathLike)):
        path = Path(notebook)
        return nbformat.read(path, as_version=4), path.resolve().parent, path.stem
    # Copy so the caller's notebook keeps its metadata and cells untouched.
    return copy.deepcopy(notebook), Path.cwd(), "Report"


def _tag_headings(node: nbformat.NotebookNode) -> None:
    """Tag each markdown cell holding a heading, so it is printed on the page of what follows it."""
    for cell in node.cells:
        if cell.cell_type == "markdown" and HEADING_LINE.search(cell.source):
            tags = cell.setdefault("metadata", {}).setdefault("tags", [])
            if KEEP_WITH_NEXT_TAG not in tags:
                tags.append(KEEP_WITH_NEXT_TAG)


def _report_exporter() -> HTMLExporter:
    """Build an HTMLExporter that hides code, drops tagged cells and loads nothing remote."""
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({TEMPLATE_NAME: REPORT_TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        # "Out[3]:" labels mean nothing once the code is hidden.
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        # Markdown images (attachments, local files) become data URIs; outputs already are.
        embed_images=True,
    )
    exporter.template_file = TEMPLATE_NAME
    exporter.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags={REMOVE_CELL_TAG},
            remove_input_tags={REMOVE_INPUT_TAG},
            remove_all_outputs_tags={REMOVE_OUTPUT_TAG},
            enabled=True,
        ),
        enabled=True,
    )
    return exporter


def _strip_remote_resources(html: str) -> str:
    """Remove <script src> and <link href> tags that point at the network."""
    html = REMOTE_SCRIPT_PATTERN.sub("", html)
    return REMOTE_LINK_PATTERN.sub("", html)
