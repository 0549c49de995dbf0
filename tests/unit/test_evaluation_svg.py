"""The evaluation charts (consult.evaluation.svg): well-formed SVG that says what the
numbers say, with every text escaped and nothing that runs."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

from consult.evaluation import svg

NS = "{http://www.w3.org/2000/svg}"


def parse(doc: str) -> ET.Element:
    return ET.fromstring(doc)


def test_bars_one_per_value_with_its_interval_and_escaped_labels():
    doc = svg.bars("Satisfaction <95%>", [
        ("Dept & <Co>", 60.0, (50.0, 70.0)),
        ("Too few answers", None, None),
        ("部门" * 30, 100.0, (90.0, 100.0)),
    ], (0, 100))
    root = parse(doc)  # well-formed: the labels were escaped
    assert root.find(f"{NS}title").text == "Satisfaction <95%>"
    bars = [r for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None]
    assert [b.find(f"{NS}title").text.split(":")[0] for b in bars][:1] == ["Dept & <Co>"]
    assert len(bars) == 2  # no bar without a value
    left = float(bars[0].get("x"))
    # 60 of 0-100 is 60% of the plot's width; 100 the whole of it
    assert abs(float(bars[0].get("width")) / float(bars[1].get("width")) - 0.6) < 0.01
    assert float(bars[1].get("x")) == left
    labels = [t.text for t in root.iter(f"{NS}text")]
    assert "Too few answers" in labels
    # cut to the labels' column (a Chinese character about twice a Latin letter's width)
    cut = [t for t in labels if t.endswith("…")]
    assert len(cut) == 1 and svg.text_width(cut[0]) <= svg.LABEL_WIDTH
    assert svg.text_width(cut[0]) > svg.LABEL_WIDTH - 2 * 13
    assert bars[1].find(f"{NS}title").text.startswith("部门" * 30)  # the tooltip: in full
    assert "<script" not in doc and "href" not in doc


def test_long_latin_and_chinese_labels_fit_the_same_column():
    latin = "Housing and Urban-Rural Development Bureau of the Municipality"
    root = parse(svg.bars("t", [(latin, 50.0, None), ("市住房和城乡建设局", 40.0, None)],
                          (0, 100)))
    labels = [t.text for t in root.iter(f"{NS}text") if t.get("text-anchor") == "end"]
    assert labels[0].endswith("…") and latin.startswith(labels[0][:-1])
    assert svg.text_width(labels[0]) <= svg.LABEL_WIDTH
    assert labels[1] == "市住房和城乡建设局"  # short enough: whole


def test_bars_on_a_1_to_5_scale_start_at_1():
    root = parse(svg.bars("Mean rating", [("A", 3.0, (2.5, 3.5)), ("B", 5.0, None)], (1, 5)))
    bars = [r for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None]
    assert abs(float(bars[0].get("width")) / float(bars[1].get("width")) - 0.5) < 0.01
    assert [t.text for t in root.iter(f"{NS}text") if t.text in {"1", "5"}] == ["1", "5"]


def test_lines_break_where_a_month_has_no_value():
    root = parse(svg.lines("By month", ["2026-01", "2026-02", "2026-03"], [
        ("Satisfaction", [(50.0, (40.0, 60.0)), None, (70.0, (60.0, 80.0))]),
        ("On time", [(100.0, None), (0.0, None), (50.0, None)]),
    ]))
    paths = [p.get("d") for p in root.iter(f"{NS}path") if p.get("stroke-width") == "2"]
    satisfaction, on_time = paths
    assert satisfaction.count("M") == 2 and "L" not in satisfaction  # two lone points
    assert on_time.count("M") == 1 and on_time.count("L") == 2
    assert len(list(root.iter(f"{NS}circle"))) == 5
    assert {"Satisfaction", "On time", "2026-02"} <= {t.text for t in root.iter(f"{NS}text")}


def test_data_uri_round_trips():
    doc = svg.bars("t", [("é", 1.0, None)], (0, 100))
    uri = svg.data_uri(doc)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode("utf-8") == doc
