"""Audit-pack benchmark: a pack of 30 pages or more (an officine with a plan of --actions
items, on top of every app's sections), timed stage by stage, against a one-page PDF
rendered by WeasyPrint in the same run.

    python -m bench.reports [--actions 300] [--rounds 3]

A throw-away SQLite database (bench.foundation.prepare_environment, or DATABASE_URL).
Printed, for the round whose PDF took the least CPU time (the first round also pays
WeasyPrint's font set-up): collecting the sections, the PDF (wall clock and CPU time, its
page count, the time a page), the DOCX, the XLSX, and the PDF's CPU time as a ratio of the
one-page PDF's (best of five in the same round): the whole pack and one of its pages. The
CPU time and the ratios move much less than the wall clock on a shared machine. Numbers
are printed, never asserted. Target from the product issue: a 30-page PDF in ≤ 3 s.
"""

import argparse
import datetime
import time

ONE_PAGE = ('<html lang="fr"><head><meta charset="utf-8"><style>@page { size: A4; '
            'margin: 22mm 16mm 20mm; } html { font-family: "DejaVu Sans", sans-serif; '
            'font-size: 9.5pt; }</style></head><body><h1>Une page</h1><p>Pharmacie '
            'Banc d\'essai — un paragraphe.</p></body></html>')


def officine(actions: int):
    from django.contrib.auth import get_user_model

    from pharmagarde.actions.models import Action
    from pharmagarde.core.models import Membership, Organisation, Role

    organisation = Organisation.objects.create(name="Pharmacie du Banc d'essai",
                                               slug="banc-essai", kind="officine",
                                               siret="73282932000074", city="Lyon",
                                               postal_code="69003")
    user = get_user_model().objects.create_user(username="banc@example.org",
                                                email="banc@example.org")
    Membership.objects.create(organisation=organisation, user=user, role=Role.RESPONSABLE)
    today = datetime.date.today()
    statuses = [Action.Status.TODO, Action.Status.IN_PROGRESS, Action.Status.TODO,
                Action.Status.DONE]
    Action.objects.bulk_create([
        Action(organisation=organisation, title=f"Action n° {index} : mettre à jour les "
               f"postes et vérifier les sauvegardes du site {index % 7}",
               status=statuses[index % 4], priority=index,
               criticality=("critique", "majeure", "normale")[index % 3],
               due_date=today + datetime.timedelta(days=index % 90 - 30))
        for index in range(actions)])
    return organisation, user


def timed(function, *args):
    """The result, the wall-clock seconds and the process's CPU seconds (the CPU time moves
    less than the wall clock on a machine that others are using)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - started, time.process_time() - cpu


def one_page_pdf(repeat: int = 5) -> tuple[float, float]:
    """The best wall-clock and CPU seconds of a one-page PDF over `repeat` renders."""
    import weasyprint

    runs = [timed(lambda: weasyprint.HTML(string=ONE_PAGE).render().write_pdf())[1:]
            for _ in range(repeat)]
    return min(wall for wall, _cpu in runs), min(cpu for _wall, cpu in runs)


def main():
    parser = argparse.ArgumentParser(description="Benchmark of the audit packs.")
    parser.add_argument("--actions", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from bench.foundation import prepare_environment

    prepare_environment()
    import logging

    from django.core.management import call_command

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    from pharmagarde.core.packs import GENERAL, PackRequest
    from pharmagarde.reports.builder import collect
    from pharmagarde.reports.production import render_pdf
    from pharmagarde.reports.sheets import render_xlsx
    from pharmagarde.reports.word import render_docx

    organisation, _user = officine(args.actions)
    pack = PackRequest(organisation, GENERAL, datetime.date.today())
    rounds = []
    for _round in range(args.rounds):
        base, base_cpu = one_page_pdf()
        document, collect_s, _cpu = timed(collect, pack)
        (pdf, pages), pdf_s, pdf_cpu = timed(render_pdf, document)
        docx, docx_s, _cpu = timed(render_docx, document)
        xlsx, xlsx_s, _cpu = timed(render_xlsx, document)
        rounds.append((pdf_cpu, pdf_s, base_cpu, base, collect_s, pages, len(pdf), docx_s,
                       len(docx), xlsx_s, len(xlsx), len(document.parts)))
        print(f"  tour : collecte {collect_s:.2f} s, PDF {pdf_s:.2f} s ({pdf_cpu:.2f} s de "
              f"processeur, {pages} pages), DOCX {docx_s:.2f} s, XLSX {xlsx_s:.2f} s, PDF "
              f"d'une page {base * 1000:.0f} ms ({base_cpu * 1000:.0f} ms de processeur)")
    (pdf_cpu, pdf_s, base_cpu, base, collect_s, pages, pdf_size, docx_s, docx_size, xlsx_s,
     xlsx_size, parts) = min(rounds)
    page_cpu, page_s = pdf_cpu / pages, pdf_s / pages
    print(f"\nDossier « État de la sécurité », {args.actions} actions au plan, {parts} parties "
          f"(le tour au PDF le moins long en temps processeur, sur {args.rounds}) :")
    print(f"  collecte des sections : {collect_s:.2f} s")
    print(f"  PDF : {pdf_s:.2f} s ({pdf_cpu:.2f} s de processeur), {pages} pages, "
          f"{pdf_size / 1e3:.0f} ko ; par page : {page_s * 1000:.0f} ms "
          f"({page_cpu * 1000:.0f} ms de processeur)")
    print(f"  DOCX : {docx_s:.2f} s, {docx_size / 1e3:.0f} ko ; "
          f"XLSX : {xlsx_s:.2f} s, {xlsx_size / 1e3:.0f} ko")
    print(f"  PDF d'une page (même tour, meilleur de 5) : {base * 1000:.0f} ms "
          f"({base_cpu * 1000:.0f} ms de processeur)")
    print(f"  rapports au PDF d'une page (processeur) : le dossier {pdf_cpu / base_cpu:.0f}×, "
          f"une page du dossier {page_cpu / base_cpu:.2f}×")
    thirty = 30 * page_s
    print(f"  30 pages à ce rythme : {thirty:.2f} s ({30 * page_cpu:.2f} s de processeur) ; "
          f"cible ≤ 3 s → {'atteinte' if thirty <= 3 else 'non atteinte'}")


if __name__ == "__main__":
    main()
