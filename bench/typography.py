"""French typography at render time: cost of lib.typography.french_spacing_html on a page
of the diagnostic's size, as a ratio of one str.replace pass over the same HTML (the least a
change to every text of the page could cost), measured in the same run.

    python -m bench.typography [--cards 300] [--runs 30]

Numbers are printed, never asserted (docs/benchmarks.md keeps the latest).
"""

import argparse
import statistics
import time

from pharmagarde.lib.typography import french_spacing_html

CARD = ('<li class="measure">\n  <h3 class="measure__title">Garder une copie des sauvegardes'
        ' hors ligne</h3>\n  <p class="measure__meta">\n    <span class="badge">Effort : faible'
        '</span>\n  </p>\n  <p><strong>Pourquoi :</strong> Les attaquants cherchent d\'abord à'
        ' détruire les sauvegardes ; « copie » ?</p>\n  <p><strong>Comment :</strong> Achetez'
        ' deux disques externes chiffrés. Chaque semaine…</p>\n</li>\n')


def median_ms(function, html, runs):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function(html)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=300)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    html = "<main><ol>" + CARD * args.cards + "</ol></main>"
    baseline = median_ms(lambda h: h.replace(" :", "\u00a0:"), html, args.runs)
    spacing = median_ms(french_spacing_html, html, args.runs)
    print(f"{len(html) // 1024} kB ({args.cards} fiches de mesure)")
    print(f"str.replace (référence)      {baseline:8.3f} ms   × 1")
    print(f"french_spacing_html          {spacing:8.3f} ms   × {spacing / baseline:.0f}"
          f"   ({spacing / (len(html) / 1024):.3f} ms par ko)")


if __name__ == "__main__":
    main()
