"""Every chart of the sample's reports, drawn as it is exported: every title, label, legend and note
lies inside the figure (a PNG is saved at the figure's size, so anything outside it is cut off)."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text

from conftest import SAMPLE_CONFIG
from rar_protocol.analyses.registry import REPORTS
from rar_protocol.data.loading import load_review

# A pixel of slack for anti-aliasing at the edge.
TOLERANCE = 1.0


def drawn_texts(figure: Figure) -> tuple[list[Text | Legend], object]:
    """The texts and legends a draw of the figure actually draws (not, say, the labels of ticks outside the axes' view), and the renderer."""
    # The exports draw with Agg (savefig to PNG): measure with the same renderer.
    renderer = FigureCanvasAgg(figure).get_renderer()
    drawn: list[Text | Legend] = []
    text_draw, legend_draw = Text.draw, Legend.draw

    def draw_text(artist: Text, *arguments: object) -> None:
        if artist.get_visible() and artist.get_text().strip():
            drawn.append(artist)
        text_draw(artist, *arguments)

    def draw_legend(artist: Legend, *arguments: object) -> None:
        if artist.get_visible():
            drawn.append(artist)
        legend_draw(artist, *arguments)

    with patch.object(Text, "draw", draw_text), patch.object(Legend, "draw", draw_legend):
        figure.draw(renderer)
    return drawn, renderer


def outside_the_figure(figure: Figure) -> list[str]:
    """Each text (and each legend) drawn past an edge of the figure, with where it is."""
    drawn, renderer = drawn_texts(figure)
    width, height = figure.bbox.width, figure.bbox.height
    found = []
    for artist in drawn:
        box = artist.get_window_extent(renderer)
        if box.x0 < -TOLERANCE or box.y0 < -TOLERANCE or box.x1 > width + TOLERANCE or box.y1 > height + TOLERANCE:
            label = artist.get_text() if isinstance(artist, Text) else "legend " + " / ".join(text.get_text() for text in artist.get_texts())
            found.append(f"{label[:70]!r} at x {box.x0:.0f}..{box.x1:.0f} of {width:.0f}, y {box.y0:.0f}..{box.y1:.0f} of {height:.0f}")
    return found


@pytest.fixture(scope="module")
def sample_review():
    return load_review(SAMPLE_CONFIG)


def _charts(review):
    """(report, building, data object name, figure) of every chart the sample's reports draw."""
    for kind in REPORTS:
        if not hasattr(kind.analysis(), "data_objects"):
            continue  # the determination report shows the team's determination, not charts of its own
        buildings = [None] if kind.scope == "district" else review.buildings_under_review()
        for building in buildings:
            for data_object in kind.data_objects(review, building):
                if data_object.figure is not None:
                    yield kind.title, building, data_object.name, data_object.figure


def test_every_text_of_every_chart_lies_inside_its_figure(sample_review):
    problems, count = [], 0
    for title, building, name, figure in _charts(sample_review):
        count += 1
        problems += [f"{title} / {building or 'district'} / {name}: {problem}" for problem in outside_the_figure(figure)]
    assert count > 50
    assert problems == [], "\n".join(problems)
