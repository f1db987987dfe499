import math
from unittest import TestCase

from defusedxml import ElementTree

from pharmagarde.diagnostic import charts
from pharmagarde.diagnostic.charts import Layout, Series, radar_svg

NS = {"svg": charts.SVG_NS}
LABELS = ["Organisation", "Accès", "Sauvegardes", "Postes de travail"]


def parse(markup):
    return ElementTree.fromstring(markup)


def polygon_points(element):
    return [tuple(float(v) for v in pair.split(","))
            for pair in element.get("points").split()]


class RadarChartTestCase(TestCase):
    def chart(self, labels=LABELS, series=None, **kwargs):
        series = series or [Series("Ce diagnostic", (100, 50, 0, 25))]
        return radar_svg(labels, series, title="Score par thème", **kwargs)

    def test_it_is_well_formed_svg_with_a_title_and_a_description(self):
        root = parse(self.chart())
        self.assertEqual(root.tag, f"{{{charts.SVG_NS}}}svg")
        self.assertEqual(root.get("role"), "img")
        self.assertEqual(root.get("aria-labelledby"), "radar-title radar-desc")
        self.assertEqual(root.find("svg:title", NS).get("id"), "radar-title")
        self.assertEqual(root.find("svg:title", NS).text, "Score par thème")
        desc = root.find("svg:desc", NS)
        self.assertEqual(desc.get("id"), "radar-desc")
        self.assertIn("Organisation : 100 sur 100", desc.text)
        self.assertIn("Sauvegardes : 0 sur 100", desc.text)

    def test_it_puts_each_score_on_its_axis(self):
        root = parse(self.chart())
        polygon = root.find(".//svg:g[@class='radar__series radar__series--current']/svg:polygon",
                            NS)
        cx, cy = Layout().center()
        radius = Layout().radius
        points = polygon_points(polygon)
        # First axis straight up, then clockwise: right, down, left.
        self.assertEqual(points[0], (cx, cy - radius))
        self.assertEqual(points[1], (cx + radius / 2, cy))
        self.assertEqual(points[2], (cx, cy))
        self.assertEqual(points[3], (cx - radius / 4, cy))

    def test_it_places_points_on_a_regular_polygon(self):
        count = 7
        layout = Layout(count=count)
        cx, cy = layout.center()
        for index in range(count):
            x, y = charts.point(index, count, 80, layout)
            self.assertAlmostEqual(math.dist((x, y), (cx, cy)), layout.radius * 0.8, delta=0.2)

    def test_it_escapes_theme_titles_and_series_names(self):
        markup = self.chart(labels=["A < B & C > D", "Accès", "Sauvegardes"],
                            series=[Series('Mon "<diagnostic>"', (10, 20, 30))])
        root = parse(markup)
        texts = ["".join(t.itertext()) for t in root.iter(f"{{{charts.SVG_NS}}}text")]
        self.assertIn("A < B & C > D", texts)
        self.assertIn('Mon "<diagnostic>"', texts)
        self.assertNotIn("<diagnostic>", markup)

    def test_it_labels_every_value(self):
        root = parse(self.chart(series=[Series("Ce diagnostic", (62.5, 50, None, 25))]))
        values = [t.text for t in root.find(".//svg:g[@class='radar__values']", NS)]
        self.assertEqual(values, ["62,5", "50", "–", "25"])
        self.assertIn("Sauvegardes : non évalué",
                      root.find("svg:desc", NS).text)

    def test_it_writes_numbers_the_reader_s_way(self):
        from django.utils import translation

        with translation.override("en"):
            root = parse(self.chart(series=[Series("This assessment", (62.5, 50, None, 25))]))
        values = [t.text for t in root.find(".//svg:g[@class='radar__values']", NS)]
        self.assertEqual(values, ["62.5", "50", "–", "25"])
        self.assertIn("62.5 out of 100; ", root.find("svg:desc", NS).text)

    def test_it_draws_grid_rings_with_their_values(self):
        root = parse(self.chart())
        rings = root.find(".//svg:g[@class='radar__grid']", NS).findall("svg:polygon", NS)
        self.assertEqual(len(rings), 5)
        ring_labels = [t.text for t in root.find(".//svg:g[@class='radar__rings']", NS)]
        self.assertEqual(ring_labels, ["20", "40", "60", "80", "100"])

    def test_it_tells_series_apart_without_colour(self):
        series = [Series("Ce diagnostic", (10, 20, 30, 40)),
                  Series("Diagnostic précédent", (5, 15, 25, 35), "previous"),
                  Series("Moyenne des structures", (50, 50, 50, 50), "peers")]
        root = parse(self.chart(series=series))
        dashes = {}
        for style in ("current", "previous", "peers"):
            group = root.find(f".//svg:g[@class='radar__series radar__series--{style}']", NS)
            dashes[style] = group.find("svg:polygon", NS).get("stroke-dasharray")
        self.assertIsNone(dashes["current"])
        self.assertTrue(dashes["previous"])
        self.assertTrue(dashes["peers"])
        self.assertNotEqual(dashes["previous"], dashes["peers"])
        legend = root.find(".//svg:g[@class='radar__legend']", NS)
        self.assertEqual([t.text for t in legend.findall("svg:text", NS)],
                         ["Ce diagnostic", "Diagnostic précédent", "Moyenne des structures"])
        legend_dashes = [line.get("stroke-dasharray") for line in legend.findall("svg:line", NS)]
        self.assertEqual(legend_dashes, [dashes["current"], dashes["previous"], dashes["peers"]])

    def test_it_uses_no_inline_style(self):
        series = [Series("A", (10, 20, 30, 40)), Series("B", (5, 15, 25, 35), "previous")]
        markup = self.chart(series=series)
        self.assertNotIn("style=", markup)
        self.assertNotIn("<style", markup)
        self.assertNotIn("<script", markup)

    def test_it_wraps_long_titles(self):
        long_title = "Postes de travail, logiciels et mises à jour de sécurité"
        root = parse(self.chart(labels=[long_title, "Accès", "Sauvegardes"],
                                series=[Series("A", (1, 2, 3))]))
        label = root.find(".//svg:g[@class='radar__labels']/svg:text", NS)
        lines = [t.text for t in label.findall("svg:tspan", NS)]
        self.assertGreater(len(lines), 1)
        self.assertTrue(all(len(line) <= 20 for line in lines))
        self.assertEqual(" ".join(lines), long_title)

    def test_it_works_from_3_to_20_themes(self):
        for count in (3, 5, 8, 12, 13, 20):
            labels = [f"Thème numéro {i} au titre plutôt long" for i in range(count)]
            root = parse(self.chart(labels=labels,
                                    series=[Series("A", tuple(range(count)))]))
            labels_group = root.find(".//svg:g[@class='radar__labels']", NS)
            self.assertEqual(len(labels_group), count)
            self.assertEqual(len(root.find(".//svg:g[@class='radar__values']", NS)), count)
            # Everything is drawn inside the view box.
            _x, _y, width, height = map(float, root.get("viewBox").split())
            for element in root.iter():
                for attribute in ("x", "cx", "x1", "x2"):
                    if element.get(attribute):
                        self.assertTrue(0 <= float(element.get(attribute)) <= width)
                for attribute in ("y", "cy", "y1", "y2"):
                    if element.get(attribute):
                        self.assertTrue(0 <= float(element.get(attribute)) <= height)

    def test_it_refuses_too_few_or_too_many_themes(self):
        with self.assertRaises(ValueError):
            self.chart(labels=["A", "B"], series=[Series("A", (1, 2))])
        with self.assertRaises(ValueError):
            self.chart(labels=[str(i) for i in range(21)], series=[Series("A", (1,) * 21)])

    def test_it_refuses_a_series_of_the_wrong_length(self):
        with self.assertRaises(ValueError):
            self.chart(series=[Series("A", (1, 2))])

    def test_it_can_be_a_standalone_file(self):
        markup = self.chart(standalone=True)
        self.assertTrue(markup.startswith('<?xml version="1.0" encoding="UTF-8"?>'))
        parse(markup.encode())

    def test_it_clamps_scores_to_the_chart(self):
        layout = Layout()
        self.assertEqual(charts.point(0, 4, 150, layout), charts.point(0, 4, 100, layout))
        self.assertEqual(charts.point(0, 4, -5, layout), layout.center())
