"""The opinion-group map: a pygal scatter rendered to SVG on the server (no script)."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from consult.evaluation.charts import chart_library

COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#6f3c97", "#b58840")


def opinion_map(groups: dict) -> str:
    pygal = chart_library()
    from pygal.style import Style  # noqa: PLC0415 - heavy (pygal): imported only when a chart is drawn

    style = Style(background="#ffffff", plot_background="#ffffff", colors=COLOURS,
                  font_family='"Noto Sans CJK SC", "PingFang SC", system-ui, sans-serif',
                  legend_font_size=14, label_font_size=11)
    chart = pygal.XY(stroke=False, dots_size=3, show_x_labels=False, show_y_labels=False,
                     show_x_guides=False, show_y_guides=False, width=640, height=420,
                     legend_at_bottom=True, style=style, js=[], disable_xml_declaration=True,
                     explicit_size=False, print_values=False, tooltip_border_radius=4,
                     title=_("Participants placed by what they support"))
    for g in groups["groups"]:
        pts = [(p[0], p[1]) for p in groups["points"] if p[2] == g["group"]]
        chart.add(_("Group %(letter)s (%(num)d people)", letter=chr(65 + g["group"]),
                    num=g["size"]), pts)
    # pygal writes its config into an inline <script> even with js=[]; the CSP forbids
    # inline scripts and the map needs none.
    return re.sub(r"<script\b.*?</script>", "", chart.render(is_unicode=True), flags=re.S)
