"""Diagnostic and action plan benchmark: referential loading, scoring, the results, theme,
plan and dashboard pages, autosave, the plan's exports, query counts against the size of the
plan, and the peer comparison over thousands of organisations.

    python -m bench.diagnostic [--questions 150] [--manual-actions 100] [--requests 30]
                               [--scales 10,100,1000,2000] [--peers 5000]

A synthetic referential (12 themes, single and multiple choice, show_if conditions, weights
and criticalities) is written as YAML in a temporary folder and loaded through
referential.load_version; this process alone then sees it as the latest version. Everything
runs in one process against a throw-away SQLite database (or DATABASE_URL), and times are
given as a ratio of a bare Django view measured in the same run. Numbers are printed, never
asserted.
"""

import argparse
import datetime
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.foundation import percentile, prepare_environment

VERSION = "2099.1"  # sorts after every real version: the synthetic one is the latest
HTMX = {"HTTP_HX_REQUEST": "true"}
EFFORTS = ["faible", "moyen", "important"]
CRITICALITIES = ["critique"] + ["majeure"] * 3 + ["normale"] * 6
WEIGHTS = [0.5, 1, 1, 1, 1, 1.5, 2, 2, 3]
SINGLE_CHOICES = [
    [("oui", "Oui, partout et vérifié", 3), ("partiel", "En partie", 1.5), ("non", "Non", 0)],
    [("oui", "Oui, écrit et testé", 3), ("en-cours", "C'est en cours", 2),
     ("partiel", "Oui, mais jamais vérifié", 1), ("non", "Non", 0)],
]
MULTIPLE_CHOICES = [("postes", "Les postes de comptoir", 1), ("serveur", "Le serveur", 1),
                    ("messagerie", "La messagerie", 1), ("sauvegardes", "Les sauvegardes", 1),
                    ("telephonie", "La téléphonie", 0.5),
                    ("aucun", "Aucun de ceux-là", 0, True)]


# --- The synthetic referential -----------------------------------------------------------

def _measure(number, rng):
    measure = {
        "id": f"m-synth-{number}",
        "title": f"Mesure {number} : protéger l'accès aux données de l'officine",
        "basic": "Faites le point avec l'équipe et appliquez la règle de base sur chaque poste.",
        "why": "Une attaque courante exploite précisément ce manque, souvent en quelques heures.",
        "how": ("Dressez la liste des postes concernés, appliquez le réglage un par un, puis "
                "notez la date et la personne qui l'a vérifié dans le registre de sécurité."),
        "effort": rng.choice(EFFORTS),
        "priority": rng.randint(1, 999),
    }
    if number % 4:
        measure["advanced"] = "Automatisez le contrôle et vérifiez-le chaque trimestre."
    return measure


def synthetic_modules(questions=150, themes=12, seed=7):
    """{module file name: module dict} in the real format: two modules sharing the themes,
    a third of the questions multiple choice (with an exclusive "none" choice), one in
    seven shown only for some answers of the question before it, one in six sharing the
    measure of the question before it."""
    rng = random.Random(seed)
    measure_rng = random.Random(seed + 1)
    measures = {}
    sizes = [questions // themes + (1 if t < questions % themes else 0) for t in range(themes)]
    raw_themes, number = [], 0
    for t, size in enumerate(sizes):
        items = []
        for position in range(size):
            multiple = number % 3 == 1
            if multiple:
                choices = [{"id": c[0], "label": c[1], "score": c[2],
                            **({"exclusive": True} if len(c) > 3 else {})}
                           for c in MULTIPLE_CHOICES]
            else:
                choices = [{"id": i, "label": lb, "score": s}
                           for i, lb, s in SINGLE_CHOICES[number % 2]]
            measure_number = number - 1 if number % 6 == 5 else number
            if measure_number not in measures:
                measures[measure_number] = _measure(measure_number, measure_rng)
            question = {
                "id": f"q{t + 1:02d}-{position + 1:02d}",
                "text": f"Question {number + 1} : comment protégez-vous ce point précis ?",
                "why": "Ce manque ouvre la porte à un rançongiciel ou à une fuite de données.",
                "weight": rng.choice(WEIGHTS),
                "criticality": rng.choice(CRITICALITIES),
                "choices": choices,
                "references": {"anssi": [1 + number % 42],
                               "nis2": ["abcdefghij"[number % 10]]},
                "measure": measures[measure_number],
            }
            if multiple:
                question["kind"] = "multiple"
                question["help"] = "Cochez tout ce qui s'applique."
            if number % 11 == 4:
                question["dont_know"] = False
            if position and number % 7 == 3:
                parent = items[-1]
                question["show_if"] = {
                    "question": parent["id"],
                    "choices": [c["id"] for c in parent["choices"] if c["score"] > 0][:2]}
            items.append(question)
            number += 1
        raw_themes.append({"id": f"theme-{t + 1:02d}", "title": f"Thème {t + 1}",
                           "intro": "Ce que couvre ce thème, en une phrase.",
                           "questions": items})
    split = max(1, themes * 3 // 4)
    return {
        "socle.yaml": {"id": "socle", "title": "Socle synthétique",
                       "description": "Référentiel de mesure des performances.",
                       "themes": raw_themes[:split]},
        "complements.yaml": {"id": "complements", "title": "Compléments synthétiques",
                             "themes": raw_themes[split:]},
    }


def write_referential(directory, questions, themes):
    import yaml

    folder = Path(directory) / VERSION
    folder.mkdir(parents=True)
    for name, module in synthetic_modules(questions, themes).items():
        if module["themes"]:
            (folder / name).write_text(
                yaml.safe_dump(module, allow_unicode=True, sort_keys=False, width=100),
                encoding="utf-8")
    return folder


def register_referential(directory):
    """Make this process see the synthetic version as the latest one, next to the packaged
    versions: get_referential and latest_version go through these two module functions."""
    from pharmagarde.diagnostic import referential

    load, versions = referential.load_version, referential.available_versions

    def load_version(version, directory_=referential.REFERENTIALS_DIR):
        return load(version, directory if version == VERSION else directory_)

    def available_versions(directory_=referential.REFERENTIALS_DIR):
        return [*versions(directory_), VERSION]

    referential.load_version = load_version
    referential.available_versions = available_versions
    referential.get_referential.cache_clear()


def random_answers(rng, questions, best_share=0.25):
    """{question_id: (choice_ids, dont_know)} for every question."""
    answers = {}
    for question in questions:
        if question.dont_know and rng.random() < 0.08:
            answers[question.id] = ([], True)
        elif question.kind == "multiple":
            exclusive = [c.id for c in question.choices if c.exclusive]
            others = [c.id for c in question.choices if not c.exclusive]
            if exclusive and rng.random() < 0.1:
                answers[question.id] = (exclusive[:1], False)
            elif rng.random() < best_share:
                answers[question.id] = (others, False)
            else:
                answers[question.id] = (rng.sample(others, rng.randint(1, len(others) - 1)),
                                        False)
        else:
            best = max(question.choices, key=lambda c: c.score)
            choice = best if rng.random() < best_share else rng.choice(question.choices)
            answers[question.id] = ([choice.id], False)
    return answers


def as_values(answers):
    from pharmagarde.diagnostic.scoring import AnswerValue

    return {qid: AnswerValue(tuple(choices), dont_know)
            for qid, (choices, dont_know) in answers.items()}


# --- Timing ------------------------------------------------------------------------------

def timed(function, count, warmup=2):
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def fetch(client, url, method="get", data=None, expect=200, **headers):
    """One request, its body read to the end (streaming exports included)."""
    response = getattr(client, method)(url, data or {}, **headers)
    if response.status_code != expect:
        sys.exit(f"{method.upper()} {url} answered {response.status_code}")
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def row(name, samples, base, unit=1000, unit_label="ms"):
    p50 = statistics.median(samples)
    print(f"{name:46} {p50 * unit:9.2f} {percentile(samples, .95) * unit:9.2f} {unit_label:>3} "
          f"{p50 / base:10.2f}")
    return p50


def header(title):
    print(f"\n{title}")
    print(f"{'':46} {'p50':>9} {'p95':>9} {'':>3} {'× vue nue':>10}")


# --- Data --------------------------------------------------------------------------------

def member_organisation(label, people=12):
    """An organisation (officine, 10-49 people) and a responsable with TOTP, signed in."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.generate import generate
    from pharmagarde.core.models import Membership, Organisation, Role

    generate(1, people, 0, seed=len(label))
    org = Organisation.objects.order_by("-id").first()
    Organisation.objects.filter(pk=org.pk).update(kind="officine", size_band="10-49")
    org.refresh_from_db()
    email = f"{label}@bench.example"
    user = get_user_model().objects.create_user(username=email, email=email)
    TOTP.activate(user, generate_totp_secret())
    Membership.objects.create(organisation=org, user=user, role=Role.RESPONSABLE)
    client = Client()
    client.force_login(user)
    fetch(client, f"/o/{org.slug}/")  # the session notes the current organisation once
    return org, user, client


def make_assessment(org, user, answers, *, complete, days_ago=0):
    from pharmagarde.diagnostic import services
    from pharmagarde.diagnostic.models import Answer, Assessment

    assessment = Assessment.objects.create(
        organisation=org, referential_version=VERSION, organisation_kind=org.kind,
        size_band=org.size_band, started_by=user)
    Answer.objects.bulk_create([
        Answer(organisation=org, assessment=assessment, question_id=qid,
               choice_ids=list(choices), dont_know=dont_know, answered_by=user)
        for qid, (choices, dont_know) in answers.items()])
    if complete:
        services.assessment_complete(acting_user=user, assessment=assessment)
    if days_ago:
        moment = assessment.started_at - datetime.timedelta(days=days_ago)
        Assessment.objects.filter(pk=assessment.pk).update(
            started_at=moment, completed_at=moment + datetime.timedelta(hours=2))
        assessment.refresh_from_db()
    return assessment


def build_plan(org, user, assessment, total, rng, question_ids):
    """plan_sync_from_assessment, then exactly `total` actions: diagnostic ones trimmed if
    needed, the rest added by hand; statuses, owners and due dates mixed, some overdue.
    Returns (diagnostic actions, manual actions)."""
    from bench.generate import STATUS_MIX, generate_actions
    from pharmagarde.actions.models import Action
    from pharmagarde.diagnostic.plan_source import SOURCE, plan_sync_from_assessment

    plan_sync_from_assessment(acting_user=user, assessment=assessment)
    diagnostic = list(org.actions.filter(source=SOURCE.name).order_by("id"))
    if total is not None and len(diagnostic) > total:
        Action.objects.filter(pk__in=[a.pk for a in diagnostic[total:]]).delete()
        diagnostic = diagnostic[:total]
    owners = list(org.people.values_list("pk", flat=True))
    today = datetime.date.today()
    for action in diagnostic:
        # Done diagnostic actions would be reopened by the next sync (their gap is still
        # there): they stay open here, the manual ones carry the closed statuses.
        action.status = rng.choice([s for s in STATUS_MIX if s in Action.OPEN_STATUSES])
        action.owner_id = rng.choice(owners)
        action.due_date = today + datetime.timedelta(days=rng.choice([-30, -5, 10, 60, 200]))
        action.progress = rng.choice([0, 25, 50])
    Action.objects.bulk_update(diagnostic, ["status", "owner", "due_date", "progress"])
    manual = (total - len(diagnostic)) if total is not None else 0
    generate_actions(org, max(0, manual), user=user, question_ids=question_ids,
                     seed=rng.randint(0, 10**6))
    return len(diagnostic), max(0, manual)


def page_urls(org, completed, in_progress=None, theme_id=None):
    slug = org.slug
    urls = {
        "résultats du diagnostic": f"/o/{slug}/diagnostic/{completed.pk}/resultats/",
        "plan d'action (liste)": f"/o/{slug}/plan/",
        "plan d'action (liste, en retard)": f"/o/{slug}/plan/?overdue=on&sort=due",
        "plan d'action (tableau)": f"/o/{slug}/plan/tableau/",
        "export CSV": f"/o/{slug}/plan/export.csv",
        "export Excel": f"/o/{slug}/plan/export.xlsx",
        "export iCalendar": f"/o/{slug}/plan/echeances.ics",
        "tableau de bord": f"/o/{slug}/",
    }
    if in_progress is not None:
        urls["page d'un thème (en cours)"] = (
            f"/o/{slug}/diagnostic/{in_progress.pk}/theme/{theme_id}/")
    return urls


class Autosave:
    """Toggles one answer of the assessment in progress between two choices, through the
    view, as htmx does; each save names the revision the previous one returned."""

    def __init__(self, client, org, assessment, question):
        from pharmagarde.diagnostic.models import Answer

        self.client, self.question = client, question
        self.url = f"/o/{org.slug}/diagnostic/{assessment.pk}/reponse/{question.id}/"
        self.revision = Answer.objects.get(assessment=assessment,
                                           question_id=question.id).revision
        # Two answers that both leave a gap at the basic level: the plan stays as it is.
        self.choices = [c.id for c in question.choices if c.score / question.max_score < .5]
        if len(self.choices) < 2:
            sys.exit(f"{question.id}: two choices below half the best score are needed")
        self.turn = 0

    def __call__(self):
        self.turn += 1
        choice = self.choices[self.turn % len(self.choices)]
        fetch(self.client, self.url, "post",
              {"choices": [choice], "comment": "", "revision": self.revision}, **HTMX)
        self.revision += 1


# --- Parts -------------------------------------------------------------------------------

def measure_referentials(args, directory):
    from pharmagarde.diagnostic import referential

    folder = write_referential(directory, args.questions, args.themes)
    packaged_version = referential.latest_version()
    started = time.perf_counter()
    synthetic = referential.load_version(VERSION, directory)
    synthetic_load = time.perf_counter() - started
    started = time.perf_counter()
    packaged = referential.load_version(packaged_version)
    packaged_load = time.perf_counter() - started
    size = sum(p.stat().st_size for p in folder.glob("*.yaml"))
    conditional = sum(1 for q in synthetic.questions.values() if q.show_if_question)
    multiple = sum(1 for q in synthetic.questions.values() if q.kind == "multiple")
    print(f"Référentiel synthétique {VERSION} : {len(synthetic.questions)} questions, "
          f"{len(synthetic.themes)} thèmes, {multiple} à choix multiple, {conditional} "
          f"conditionnelles, {len(synthetic.measures())} mesures, {size / 1000:.0f} ko de YAML")
    print(f"Chargement et validation (une fois) : synthétique {synthetic_load * 1000:.0f} ms, "
          f"référentiel livré {packaged_version} ({len(packaged.questions)} questions) "
          f"{packaged_load * 1000:.0f} ms")
    return synthetic, packaged


def measure_latest_version(base, count=2000):
    from pharmagarde.diagnostic import referential

    samples = timed(referential.latest_version, count)
    print(f"{'latest_version() (lit le dossier)':46} "
          f"{statistics.median(samples) * 1e6:9.1f} {percentile(samples, .95) * 1e6:9.1f} "
          f"{'µs':>3} {statistics.median(samples) / base:10.3f}")


def measure_scoring(args, synthetic, packaged, base):
    from pharmagarde.diagnostic.scoring import score_assessment

    rng = random.Random(args.seed)
    header("Calcul du score (sans base de données)")
    themes = synthetic.themes_for("officine", "10-49")
    questions = [q for t in themes for q in t.questions]
    sets = [as_values(random_answers(rng, questions)) for _ in range(50)]
    turn = iter(range(10**9))
    samples = timed(lambda: score_assessment(themes, sets[next(turn) % len(sets)]),
                    args.iterations)
    row(f"score_assessment, {len(questions)} questions", samples, base, 1e6, "µs")
    samples = timed(lambda: synthetic.themes_for("officine", "10-49"), args.iterations)
    row("themes_for (à chaque assessment.themes())", samples, base, 1e6, "µs")

    # Every module's questions at once: more than any single organisation answers.
    packaged_themes = packaged.themes
    packaged_questions = list(packaged.questions.values())
    packaged_sets = [as_values(random_answers(rng, packaged_questions)) for _ in range(50)]
    samples = timed(lambda: score_assessment(packaged_themes,
                                             packaged_sets[next(turn) % len(packaged_sets)]),
                    args.iterations)
    row(f"score_assessment, livré {packaged.version} ({len(packaged_questions)} q.)",
        samples, base, 1e6, "µs")
    measure_latest_version(base)


def measure_result_path(assessment, base, count):
    from pharmagarde.diagnostic.models import Assessment

    def result():
        Assessment.objects.get(pk=assessment.pk).result()  # 150 answers fetched each time

    samples = timed(result, count)
    row("assessment.result() (+ lecture des réponses)", samples, base, 1e3, "ms")


def measure_main_pages(args, client, org, completed, in_progress, theme, question, base):
    header("Pages (django.test.Client, responsable connecté)")
    urls = page_urls(org, completed, in_progress, theme.id)
    order = ["résultats du diagnostic", "page d'un thème (en cours)",
             "plan d'action (liste)", "plan d'action (liste, en retard)",
             "plan d'action (tableau)", "export CSV", "export Excel", "export iCalendar",
             "tableau de bord"]
    for name in order:
        row(name, timed(lambda url=urls[name]: fetch(client, url), args.requests), base)
    # Last: an autosave re-synchronises the plan with the assessment in progress.
    autosave = Autosave(client, org, in_progress, question)
    row("enregistrement auto d'une réponse (htmx)", timed(autosave, args.requests), base)
    return autosave


def count_queries(client, url, function=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        function() if function else fetch(client, url)
    return len(context.captured_queries)


def measure_query_counts(args, answers_previous, answers_current, question_ids, base):
    from pharmagarde.actions.models import Action

    rng = random.Random(args.seed + 2)
    counts, times, fastest, built = {}, {}, {}, []
    for total in args.scales:
        org, user, client = member_organisation(f"echelle-{total}", people=8)
        make_assessment(org, user, answers_previous, complete=True, days_ago=200)
        completed = make_assessment(org, user, answers_current, complete=True)
        diagnostic, manual = build_plan(org, user, completed, total, rng, question_ids)
        overdue = org.actions.filter(status__in=Action.OPEN_STATUSES,
                                     due_date__lt=datetime.date.today()).count()
        built.append(f"{total} ({diagnostic} diag. + {manual} man., {overdue} en retard)")
        for name, url in page_urls(org, completed).items():
            fetch(client, url)  # warm: first-use imports and caches are not queries to count
            counts.setdefault(name, []).append(count_queries(client, url))
            samples = timed(lambda url=url, client=client: fetch(client, url),
                            args.scale_requests, warmup=0)
            times.setdefault(name, []).append(statistics.median(samples))
            fastest.setdefault(name, []).append(min(samples))  # steadier on a busy machine
    print(f"\nSelon la taille du plan : {', '.join(built)}")
    scales = " ".join(f"{total:>6}" for total in args.scales)
    print(f"{'page':46} {'requêtes SQL':>{7 * len(args.scales)}}   "
          f"{'× vue nue (p50)':>{7 * len(args.scales)}}")
    print(f"{'':46} {scales}   {scales}")
    growing = []
    for name, values in counts.items():
        flag = ""
        if len(set(values)) > 1:
            flag = "  ← le nombre de requêtes croît"
        elif superlinear(args.scales, fastest[name]):
            flag = "  ← le temps croît plus vite que le plan"
        if flag:
            growing.append(name)
        print(f"{name:46} " + " ".join(f"{c:6}" for c in values) + "   "
              + " ".join(f"{t / base:6.1f}" for t in times[name]) + flag)
    print("Nombre de requêtes constant et temps au plus linéaire sur chaque page."
          if not growing else f"À examiner : {', '.join(growing)}")


def superlinear(scales, times):
    """True when the time at least doubles between the two largest sizes and each action
    added there costs over twice what it did between the two smallest: a time that grows
    with the square of the plan (1 ms between the two smallest sizes is the floor)."""
    if len(scales) < 3 or times[-1] < 2 * times[-2]:
        return False
    first = (times[1] - times[0]) / (scales[1] - scales[0])
    last = (times[-1] - times[-2]) / (scales[-1] - scales[-2])
    return last > 2 * max(first, 0.001 / (scales[1] - scales[0]))


def measure_peers(args, client, org, completed, synthetic, base):
    from bench.generate import generate_peer_assessments
    from pharmagarde.diagnostic import peers, selectors
    from pharmagarde.diagnostic.models import PeerSnapshot

    url = f"/o/{org.slug}/diagnostic/{completed.pk}/resultats/"
    theme_ids = [t.id for t in synthetic.themes]
    before = statistics.median(timed(lambda: fetch(client, url), args.requests))
    seconds = generate_peer_assessments(args.peers, VERSION, theme_ids, kind=org.kind,
                                        size_band=org.size_band, per_org=2, seed=args.seed)
    print(f"\nComparaison aux pairs : {args.peers} structures indépendantes du même type, "
          f"2 diagnostics terminés chacune ({seconds:.1f} s)")
    header("Résultats avec les pairs")
    label = "résultats, moyenne non affichée (< 11 pairs)"
    print(f"{label:46} {before * 1000:9.2f} {'':9} {'ms':>3} {before / base:10.2f}")
    # Once a week per kind, the first reader computes the snapshot (peers.py): time that
    # computation alone, then the pages and reads that find it.
    start = peers.period_start()
    row("peers.compute(), instantané de la semaine",
        timed(lambda: peers.compute(org.kind, start), max(3, args.requests // 10)), base)
    PeerSnapshot.objects.all().delete()
    row(f"résultats du diagnostic, {args.peers} pairs",
        timed(lambda: fetch(client, url), args.requests), base)
    comparison = selectors.peer_comparison(completed, theme_ids)
    row("peer_comparison(), instantané existant",
        timed(lambda: selectors.peer_comparison(completed, theme_ids), args.requests), base)
    print(f"{'requêtes de la page de résultats':46} {count_queries(client, url):9}   "
          f"(moyenne sur {comparison.count} unités : {comparison.score})")


def main():
    parser = argparse.ArgumentParser(description="Benchmark of the diagnostic and the plan.")
    parser.add_argument("--questions", type=int, default=150)
    parser.add_argument("--themes", type=int, default=12)
    parser.add_argument("--manual-actions", type=int, default=100,
                        help="added by hand to the ~100 diagnostic actions")
    parser.add_argument("--iterations", type=int, default=2000, help="scoring runs")
    parser.add_argument("--requests", type=int, default=30, help="requests per page")
    parser.add_argument("--scales", default="10,100,1000,2000",
                        help="plan sizes for the query counts")
    parser.add_argument("--scale-requests", type=int, default=5,
                        help="requests per page and plan size")
    parser.add_argument("--peers", type=int, default=5000, help="0 to skip")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.scales = [int(n) for n in args.scales.split(",") if n]
    started = time.perf_counter()
    prepare_environment()
    from django.core.management import call_command

    from bench.generate import generate_actions
    from pharmagarde.actions.models import Action

    call_command("migrate", verbosity=0)
    directory = tempfile.mkdtemp(prefix="pharmagarde-bench-referential-")
    synthetic, packaged = measure_referentials(args, directory)
    register_referential(directory)

    org, user, client = member_organisation("diagnostic")
    bare = timed(lambda: fetch(client, "/bench/bare/"), args.requests * 3)
    base = statistics.median(bare)
    print(f"\nVue nue : p50 {base * 1000:.2f} ms, p95 {percentile(bare, .95) * 1000:.2f} ms "
          "(le dénominateur de chaque rapport)")
    measure_scoring(args, synthetic, packaged, base)

    rng = random.Random(args.seed)
    questions = [q for t in synthetic.themes_for(org.kind, org.size_band) for q in t.questions]
    question_ids = [q.id for q in questions]
    answers_previous = random_answers(rng, questions, best_share=0.15)
    answers_current = random_answers(rng, questions)
    make_assessment(org, user, answers_previous, complete=True, days_ago=365)
    completed = make_assessment(org, user, answers_current, complete=True)
    diagnostic, _manual = build_plan(org, user, completed, None, rng, question_ids)
    manual = len(generate_actions(org, args.manual_actions, user=user,
                                  question_ids=question_ids, seed=args.seed))
    in_progress = make_assessment(org, user, answers_current, complete=False)
    overdue = org.actions.filter(status__in=Action.OPEN_STATUSES,
                                 due_date__lt=datetime.date.today()).count()
    measure_result_path(completed, base, max(50, args.requests * 3))
    theme = synthetic.themes[1]
    question = next(q for q in theme.questions if q.kind == "single" and sum(
        c.score / q.max_score < .5 for c in q.choices) > 1 and not any(
        other.show_if_question == q.id for other in synthetic.questions.values()))
    gaps = len(completed.result().gaps)
    print(f"\nStructure : diagnostic terminé de {len(answers_current)} réponses (score "
          f"{completed.score}, {gaps} écarts), un précédent, un en cours ; plan de "
          f"{diagnostic + manual} actions ({diagnostic} du diagnostic, {manual} manuelles, "
          f"{overdue} en retard)")
    autosave = measure_main_pages(args, client, org, completed, in_progress, theme, question,
                                  base)
    theme_url = page_urls(org, completed, in_progress, theme.id)["page d'un thème (en cours)"]
    print(f"Requêtes SQL : enregistrement auto {count_queries(client, None, autosave)}, "
          f"page d'un thème {count_queries(client, theme_url)}")
    if args.scales:
        measure_query_counts(args, answers_previous, answers_current, question_ids, base)
    if args.peers:
        measure_peers(args, client, org, completed, synthetic, base)
    print(f"\nDurée totale : {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
