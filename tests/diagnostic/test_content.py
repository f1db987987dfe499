"""Checks of the packaged referential content, for every published version.

These tests guard the editorial promises of docs/content-format.md: full ANSSI coverage in
the common base, the CNIL–CNOP checklist, a questionnaire of reasonable length for a small
officine, modules that stay within their kinds, complete measures, and clean French.

Each check is written once (the *Checks mixins) and run on 2026.1 and on 2026.2. The
promises made with 2026.2 (gates, ANSSI chapters per theme, references that resolve, no
officine words in the common base, typography at render) are checked on 2026.2 and later
only: 2026.1 is published and frozen, slips included.
"""

import re
from unittest import TestCase

from pharmagarde.diagnostic.referential import KINDS, SIZES, load_version
from pharmagarde.diagnostic.scoring import AnswerValue, visible_questions
from pharmagarde.lib.typography import french_spacing

VERSIONS = ("2026.1", "2026.2")

# The CNIL–CNOP checklist ("Le pharmacien d'officine et la protection des données
# personnelles", 2023) and the CNIL référentiel officine: each topic and the socle questions
# that cover it for an officine.
CNIL_CNOP_TOPICS = {
    "registre des traitements": ["rgpd-registre"],
    "information des patients": ["rgpd-info-patients"],
    "information du personnel": ["rgpd-info-personnel"],
    "sous-traitants et clauses de leurs contrats": ["rgpd-sous-traitants"],
    "vidéosurveillance": ["rgpd-video", "rgpd-video-regles"],
    "violations de données et leur registre": ["rgpd-violations"],
    "DPO et AIPD au-delà de 2,6 M€ HT": ["rgpd-dpo-officine", "rgpd-aipd-officine"],
}

# The questions marked critical: few, and each one an open door for an attacker.
CRITICAL_QUESTIONS = {
    "sauv-hors-ligne", "sauv-test", "cpt-admin", "cpt-mdp-defaut", "cpt-mfa-distance",
    "maj-systemes",
}

# Priorities are unique per measure. A deliberate tie would be listed here with its reason.
PRIORITY_TIES = {}

# A small officine (1 to 9 people): how many questions it sees, gates and the questions they
# open included. 2026.2 adds the dossier's topics and turns « not concerned » answers into
# gates of their own, each a quick yes or no: the range is checked with every gate opening
# its questions (the longest path) and with every gate closed (the shortest).
OFFICINE_SMALL_RANGE = {"2026.1": (40, 60), "2026.2": (40, 72)}
OFFICINE_SMALL_SHORTEST = {"2026.2": (40, 60)}


def referential(version):
    return load_version(version)


def all_texts(ref):
    """(where, text) for every piece of French text a person reads."""
    for question in ref.questions.values():
        where = question.id
        yield where, question.text
        yield where, question.why
        if question.help:
            yield where, question.help
        for choice in question.choices:
            yield f"{where}/{choice.id}", choice.label
        measure = question.measure
        for name in ("title", "basic", "advanced", "why", "how"):
            if measure is not None and getattr(measure, name):
                yield f"{measure.id}.{name}", getattr(measure, name)
        for key, values in question.references.items():
            for value in values:
                if isinstance(value, str):
                    yield f"{where}/references.{key}", value
    for theme in ref.themes:
        yield theme.id, theme.title
        if theme.intro:
            yield theme.id, theme.intro
    yield from ref.modules.items()


def answers_showing_everything(questions):
    """Answers that make every conditional question visible (parents come first)."""
    wanted = {}
    for question in questions:
        if question.show_if_question:
            wanted.setdefault(question.show_if_question, set()).update(question.show_if_choices)
    return {qid: AnswerValue(choice_ids=tuple(sorted(choices)))
            for qid, choices in wanted.items()}


def answers_closing_every_gate(questions):
    """Answers that close every unscored gate: the choices that open nothing."""
    opening = {}
    for question in questions:
        if question.show_if_question:
            opening.setdefault(question.show_if_question, set()).update(question.show_if_choices)
    answers = answers_showing_everything(questions)
    for question in questions:
        if not question.scored:
            closed = [c.id for c in question.choices if c.id not in opening.get(question.id, ())]
            answers[question.id] = AnswerValue(choice_ids=tuple(closed[:1]))
    return answers


def questions_seen(ref, kind, size, answers=answers_showing_everything):
    questions = [q for theme in ref.themes_for(kind, size) for q in theme.questions]
    return visible_questions(questions, answers(questions))


class PackagedVersionChecks:
    def test_it_loads_the_packaged_version(self):
        ref = referential(self.version)
        self.assertEqual(ref.version, self.version)
        self.assertEqual(list(ref.modules)[0], "socle")
        self.assertEqual(set(ref.modules),
                         {"socle", "officine", "pui", "lbm", "industrie-distribution"})

    def test_it_keeps_the_first_published_question(self):
        # Ids are stable across versions: the sample question must not disappear.
        question = referential(self.version).questions["gouv-referent"]
        self.assertEqual(question.measure.id, "m-referent")


class CoverageChecks:
    def test_it_references_every_anssi_measure_in_the_common_base(self):
        socle = [q for q in referential(self.version).questions.values() if q.module_id == "socle"]
        referenced = {n for q in socle for n in q.references.get("anssi", [])}
        self.assertEqual(set(range(1, 43)) - referenced, set())

    def test_it_covers_the_ten_anssi_chapters_for_every_organisation(self):
        chapters = [range(1, 4), range(4, 8), range(8, 14), range(14, 19), range(19, 27),
                    range(27, 30), range(30, 34), range(34, 36), range(36, 41)]
        ref = referential(self.version)
        for kind in KINDS:
            seen = {n for q in questions_seen(ref, kind, "1-9")
                    for n in q.references.get("anssi", [])}
            for chapter in chapters:
                self.assertTrue(seen & set(chapter), f"{kind}: chapitre {chapter}")
        # Chapter X (41, 42) is for larger structures only.
        seen = {n for q in questions_seen(ref, "officine", "250+")
                for n in q.references.get("anssi", [])}
        self.assertTrue({41, 42} <= seen)

    def test_it_covers_the_cnil_cnop_checklist_for_an_officine(self):
        ref = referential(self.version)
        seen = {q.id for q in questions_seen(ref, "officine", "1-9")}
        for topic, question_ids in CNIL_CNOP_TOPICS.items():
            for question_id in question_ids:
                question = ref.questions[question_id]
                self.assertEqual(question.module_id, "socle", topic)
                self.assertIn(question_id, seen, topic)
                self.assertTrue(question.references.get("rgpd"), f"{topic}: article RGPD")
                self.assertTrue(question.references.get("cnil"), f"{topic}: référence CNIL")

    def test_it_states_the_dpo_threshold(self):
        ref = referential(self.version)
        self.assertIn("2,6 M€ HT", ref.questions["rgpd-dpo-officine"].text)
        # 2026.2 asks the turnover first, in a gate; 2026.1 asked both at once.
        gate = "rgpd-ca-officine" if self.version >= "2026.2" else "rgpd-dpo-officine"
        self.assertIn("2,6 M€ HT", ref.questions[gate].text)
        self.assertEqual(ref.questions["rgpd-aipd-officine"].show_if_question, gate)

    def test_it_states_the_nis2_notification_deadlines(self):
        ref = referential(self.version)
        for question_id in ("lbm-nis2-notification", "indus-nis2-notification"):
            text = ref.questions[question_id].text
            for deadline in ("24 heures", "72 heures", "mois"):
                self.assertIn(deadline, text)

    def test_it_cites_nis2_letters_and_sector_rules(self):
        ref = referential(self.version)
        letters = {x for q in ref.questions.values() for x in q.references.get("nis2", [])}
        self.assertEqual(letters, set("abcdefghij"))
        lbm = [q for q in ref.questions.values() if q.module_id == "lbm"]
        iso = {x for q in lbm for x in q.references.get("iso15189", [])}
        self.assertTrue({"§ 7.6", "§ 7.6.4", "§ 7.6.5"} <= iso)
        self.assertTrue(any("L.1111-8-2" in x for q in lbm for x in q.references.get("autre", [])))
        pui = [q for q in ref.questions.values() if q.module_id == "pui"]
        self.assertTrue(any(q.references.get("care") for q in pui))


class ApplicabilityChecks:
    def test_it_shows_a_small_officine_between_40_and_60_questions(self):
        ref = referential(self.version)
        applicable = sum(len(t.questions) for t in ref.themes_for("officine", "1-9"))
        seen = questions_seen(ref, "officine", "1-9")
        low, high = OFFICINE_SMALL_RANGE[self.version]
        self.assertEqual(len(seen), applicable)  # every conditional question can show
        self.assertTrue(low <= len(seen) <= high, len(seen))
        if self.version in OFFICINE_SMALL_SHORTEST:
            low, high = OFFICINE_SMALL_SHORTEST[self.version]
            shortest = questions_seen(ref, "officine", "1-9", answers_closing_every_gate)
            self.assertTrue(low <= len(shortest) <= high, len(shortest))

    def test_it_shows_larger_structures_more_questions(self):
        ref = referential(self.version)
        for kind in KINDS:
            counts = [len(questions_seen(ref, kind, size)) for size in SIZES]
            self.assertEqual(counts, sorted(counts), kind)
            self.assertLess(counts[0], counts[-1], kind)

    def test_it_applies_each_profession_module_only_to_its_kinds(self):
        ref = referential(self.version)
        expected = {"officine": {"officine"}, "pui": {"pui"}, "lbm": {"lbm"},
                    "industrie-distribution": {"industrie", "distribution"}}
        for question in ref.questions.values():
            if question.module_id == "socle":
                continue
            self.assertLessEqual(set(question.kinds), expected[question.module_id],
                                 question.id)
        for kind in KINDS:
            modules = {t.module_id for t in ref.themes_for(kind, "10-49")}
            allowed = {"socle"} | {m for m, kinds in expected.items() if kind in kinds}
            self.assertEqual(modules, allowed, kind)

    def test_it_only_conditions_questions_on_questions_the_organisation_sees(self):
        ref = referential(self.version)
        for kind in KINDS:
            for size in SIZES:
                applicable = {q.id for t in ref.themes_for(kind, size) for q in t.questions}
                for question_id in applicable:
                    parent = ref.questions[question_id].show_if_question
                    if parent:
                        self.assertIn(parent, applicable, f"{question_id} ({kind}, {size})")

    def test_it_marks_few_questions_critical(self):
        ref = referential(self.version)
        critical = {q.id for q in ref.questions.values() if q.criticality == "critique"}
        self.assertEqual(critical, CRITICAL_QUESTIONS)
        for question_id in critical:
            self.assertEqual(ref.questions[question_id].weight, 3)
            self.assertFalse(ref.questions[question_id].show_if_question)


class QuestionsAndMeasuresChecks:
    def test_it_lets_every_question_reveal_a_gap(self):
        # A gate (scored: false) reveals nothing itself: the questions it opens do.
        for question in referential(self.version).questions.values():
            if question.scored:
                self.assertTrue(any(c.score == 0 for c in question.choices), question.id)

    def test_it_gives_multiple_choice_questions_one_exclusive_none_choice(self):
        for question in referential(self.version).questions.values():
            exclusive = [c for c in question.choices if c.exclusive]
            if question.kind == "multiple" and question.scored:
                self.assertEqual(len(exclusive), 1, question.id)
                self.assertEqual(exclusive[0].score, 0, question.id)
                self.assertEqual(question.choices[-1], exclusive[0], question.id)

    def test_it_gives_every_measure_a_why_and_a_how(self):
        for measure in referential(self.version).measures().values():
            self.assertGreaterEqual(len(measure.why), 30, measure.id)
            self.assertGreaterEqual(len(measure.how), 60, measure.id)
            self.assertGreaterEqual(len(measure.basic), 30, measure.id)

    def test_it_gives_most_measures_an_advanced_level(self):
        measures = list(referential(self.version).measures().values())
        with_advanced = [m for m in measures if m.advanced]
        self.assertGreaterEqual(len(with_advanced) / len(measures), 0.8)

    def test_it_ranks_each_measure_at_its_own_priority(self):
        by_priority = {}
        for measure in referential(self.version).measures().values():
            by_priority.setdefault(measure.priority, set()).add(measure.id)
        ties = {p: ids for p, ids in by_priority.items() if len(ids) > 1}
        self.assertEqual(ties, PRIORITY_TIES)

    def test_it_ranks_backups_mfa_passwords_updates_admin_and_phishing_first(self):
        ref = referential(self.version).measures()
        first = {"m-sauvegarde-hors-ligne", "m-test-restauration", "m-mfa-acces-distance",
                 "m-mdp-defaut", "m-maj-systemes", "m-comptes-admin", "m-hameconnage"}
        ranked = sorted(ref.values(), key=lambda m: m.priority)
        self.assertEqual({m.id for m in ranked[:len(first)]}, first)

    def test_it_uses_stable_prefixed_measure_ids(self):
        for measure in referential(self.version).measures().values():
            self.assertTrue(measure.id.startswith("m-"), measure.id)


class FrenchTypographyChecks:
    SLIPS = [
        (re.compile(r"  "), "double espace"),
        (re.compile(r"^\s|\s$"), "espace en début ou en fin"),
        (re.compile(r"\s[,.)]"), "espace avant une virgule, un point ou une parenthèse"),
        (re.compile(r"\(\s"), "espace après une parenthèse ouvrante"),
        (re.compile(r"[^\s][?!;]"), "espace manquante avant ? ! ;"),
        (re.compile(r"[^\s\d]:(?!//)"), "espace manquante avant deux-points"),
        (re.compile(r"\s[?!;:](?=\S)"), "espace manquante après ? ! ; :"),
        (re.compile(r"«\S|\S»"), "espace manquante dans les guillemets « »"),
        (re.compile(r"\""), "guillemet droit (utiliser « »)"),
        (re.compile(r"\.\.\."), "trois points (utiliser …)"),
        (re.compile(r"’"), "apostrophe courbe (le contenu utilise l'apostrophe droite)"),
        (re.compile(r"\b(tu|toi|ton|ta|tes)\b", re.IGNORECASE), "tutoiement"),
    ]

    def test_it_has_no_typographic_slip(self):
        problems = []
        for where, text in all_texts(referential(self.version)):
            for pattern, label in self.SLIPS:
                if pattern.search(text):
                    problems.append(f"{where} : {label} — {text[:70]}")
        self.assertEqual(problems, [])

    def test_it_asks_questions_and_ends_sentences(self):
        for question in referential(self.version).questions.values():
            self.assertTrue(question.text.endswith(" ?"), question.id)
            self.assertTrue(question.why.endswith("."), question.id)
            measure = question.measure
            for name in ("basic", "advanced", "why", "how") if measure else ():
                value = getattr(measure, name)
                if value:
                    self.assertTrue(value.endswith("."), f"{measure.id}.{name}")
            for choice in question.choices:
                self.assertFalse(choice.label.endswith("."), f"{question.id}/{choice.id}")

    def test_it_keeps_questions_short(self):
        for question in referential(self.version).questions.values():
            self.assertLessEqual(len(question.text), 220, question.id)
            self.assertLessEqual(len(question.why), 170, question.id)


# ---------------------------------------------------------------------------------------
# Promises made with 2026.2.

# The chapters of the ANSSI guide each theme of the common base draws on (as the comment
# above each theme in socle.yaml says). A number cited by a question of the common base
# must sit in one of them: a measure cited in the wrong theme is usually a wrong number.
CHAPTERS = {"I": range(1, 4), "II": range(4, 8), "III": range(8, 14), "IV": range(14, 19),
            "V": range(19, 27), "VI": range(27, 30), "VII": range(30, 34),
            "VIII": range(34, 36), "IX": range(36, 41), "X": range(41, 43)}
THEME_CHAPTERS = {
    "gouvernance": {"I", "IX", "X"},
    "sauvegardes": {"IX"},
    "comptes": {"II", "III", "VI"},
    "postes": {"IV"},
    "mobilite": {"VII"},
    "reseau": {"II", "V", "VI"},
    "messagerie": {"I", "IV", "V"},
    "mises-a-jour": {"VIII"},
    "prestataires": {"I", "III", "IX"},
    "rgpd": {"I"},
    "incidents": {"IX"},
}

# The documents a reference may cite, by key. A reference "resolves" when it names one of
# them: its text starts with the document's name (what follows says which part).
SOURCES = {
    "cnil": (
        "Guide CNIL–CNOP (2023) : ",
        "Recommandation relative aux mots de passe (délibération 2022-100)",
        "Recommandation relative aux mesures de journalisation (délibération 2021-122)",
        "Référentiel CNIL relatif aux traitements des officines (délibération 2022-067)",
    ),
    "care": ("Domaine 1 : ", "Domaine 2 : ", "Axe gouvernance et résilience",
             "Exercice annuel de crise cyber"),
    "autre": (
        "ANSSI : ", "Bonnes pratiques de fabrication (BPF)", "Bonnes pratiques de préparation",
        "Clausier de sécurité numérique", "Code de la santé publique, art. ",
        "Code de la sécurité intérieure, art. ", "Code des assurances, art. ",
        "Code du travail, art. ", "Cour de cassation, ", "Directive (UE) 2022/2555, ",
        "Dossier de l'Ordre des pharmaciens : ", "PGSSI-S : ",
        "Règlement (UE) 2017/745 relatif aux dispositifs médicaux",
    ),
}
# The Guide CNIL–CNOP's parts, and the paragraphs of ISO 15189:2022 on information (7.6)
# and continuity (7.8).
CNIL_CNOP_PARTS = {
    "mise en conformité pas à pas", "fiche sur les obligations envers les patients",
    "fiche sur les obligations envers le personnel",
    "fiche sur les sous-traitants et clauses types", "fiche sur la vidéosurveillance",
    "fiche sur la conduite à tenir après une violation de données",
    "fiche sur le contrôle de la CNIL",
}
ISO_15189_PARAGRAPHS = {"§ 7.6", "§ 7.6.1", "§ 7.6.2", "§ 7.6.3", "§ 7.6.4", "§ 7.6.5",
                        "§ 7.8"}
GDPR_ARTICLE = re.compile(r"art\. (\d+)( à (\d+))?")

# Words of the officine that a laboratory, a PUI or a company should not read in the common
# base (the officine module, and socle questions asked to officines only, may use them).
OFFICINE_WORDS = re.compile(r"arrière-boutique|dispensation|comptoir|officin|\bLGO\b|"
                            r"Dossier pharmaceutique|\btitulaire", re.IGNORECASE)

# Answers at full marks that say « we do not have this »: each one must be a state that
# removes the risk the question is about, chosen for security, not a topic that does not
# concern the organisation (that is a gate: scored: false). See docs/content-format.md.
NOT_CONCERNED = re.compile(r"^(Nous n'avons pas|Nous ne proposons pas|Pas de |Il n'existe aucun|"
                           r"Aucune? .*n'|Ils n'accèdent pas|La PUI ne réalise pas|Non, aucun)")
SECURITY_STATES = {
    ("cpt-mfa-distance", "aucun-acces"): "aucun accès à distance : rien à forcer",
    ("nomade-connexion", "pas-d-acces"): "les appareils nomades n'atteignent pas le système",
    ("res-wifi-invites", "pas-d-invite"): "aucun appareil inconnu sur le Wi-Fi",
    ("res-services-exposes", "aucun"): "rien d'exposé sur Internet",
    ("res-liens-partenaires", "pas-de-lien"): "aucune liaison par où l'attaque passerait",
    ("indus-transferts-hors-ue", "aucun-transfert"): "aucune donnée hors de l'EEE",
    ("off-wifi-clients", "pas-de-wifi-client"): "aucun appareil des clients sur le Wi-Fi",
}


class ContentPromisesChecks:
    """What the review of 2026.1 asked of every later version."""

    def test_it_cites_each_anssi_measure_in_a_chapter_of_its_theme(self):
        ref = referential(self.version)
        self.assertEqual(set(THEME_CHAPTERS), {t.id for t in ref.themes if t.module_id == "socle"})
        problems = []
        for theme in ref.themes:
            if theme.module_id != "socle":
                continue
            allowed = {n for chapter in THEME_CHAPTERS[theme.id] for n in CHAPTERS[chapter]}
            for question in theme.questions:
                for number in question.references.get("anssi", []):
                    self.assertIn(number, range(1, 43), question.id)
                    if number not in allowed:
                        problems.append(f"{question.id} : mesure {number} hors du thème {theme.id}")
        self.assertEqual(problems, [])

    def test_every_reference_resolves(self):
        problems = []
        for question in referential(self.version).questions.values():
            for key, values in question.references.items():
                for value in values:
                    if not self.resolves(key, value):
                        problems.append(f"{question.id} : {key} « {value} »")
        self.assertEqual(problems, [])

    def resolves(self, key, value):
        if key == "anssi":
            return value in range(1, 43)
        if key == "nis2":
            return value in "abcdefghij" and len(value) == 1
        if key == "rgpd":
            match = GDPR_ARTICLE.fullmatch(value)
            return bool(match) and all(1 <= int(n) <= 99 for n in match.groups()[::2] if n)
        if key == "iso15189":
            return value in ISO_15189_PARAGRAPHS
        if key == "cnil" and value.startswith("Guide CNIL–CNOP (2023) : "):
            return value.removeprefix("Guide CNIL–CNOP (2023) : ") in CNIL_CNOP_PARTS
        return any(value == source or (value.startswith(source)
                                       and (source[-1] == " " or value[len(source)] in " (,"))
                   for source in SOURCES[key])

    def test_it_keeps_officine_words_out_of_the_common_base(self):
        problems = []
        ref = referential(self.version)
        for where, text in all_texts(ref):
            question = ref.questions.get(where.split("/")[0])
            if question is None:
                measure = next((q for q in ref.questions.values()
                                if q.measure and where.startswith(q.measure.id + ".")), None)
                question = measure
            if question is None or question.module_id != "socle":
                continue
            if set(question.kinds) <= {"officine"}:
                continue
            if "/references." in where:
                continue  # a cited document keeps its title
            match = OFFICINE_WORDS.search(text)
            if match:
                problems.append(f"{where} : « {match.group(0)} » — {text[:70]}")
        self.assertEqual(problems, [])

    def test_it_asks_a_gate_rather_than_scoring_not_concerned(self):
        problems = []
        for question in referential(self.version).questions.values():
            if not question.scored or question.kind != "single":
                continue
            for choice in question.choices:
                if (choice.score == question.max_score and NOT_CONCERNED.search(choice.label)
                        and (question.id, choice.id) not in SECURITY_STATES):
                    problems.append(f"{question.id}/{choice.id} : {choice.label}")
        self.assertEqual(problems, [])

    def test_every_gate_opens_questions_and_counts_nowhere(self):
        ref = referential(self.version)
        parents = {q.show_if_question for q in ref.questions.values() if q.show_if_question}
        for question in ref.questions.values():
            if not question.scored:
                self.assertIn(question.id, parents, f"{question.id} : une porte qui n'ouvre rien")
                self.assertFalse(question.dont_know, question.id)
                self.assertIsNone(question.measure, question.id)

    def test_it_offers_je_ne_sais_pas_on_every_critical_question(self):
        # « Je ne sais pas » counts 0 and caps the level (docs/scoring.md, § 2): the person
        # who does not know whether the backups work must be able to say so, not guess.
        for question in referential(self.version).questions.values():
            if question.criticality == "critique":
                self.assertTrue(question.dont_know, question.id)

    def test_it_never_starts_a_line_with_punctuation_once_rendered(self):
        problems = []
        for where, text in all_texts(referential(self.version)):
            shown = french_spacing(text)
            if re.search(r"[ \t\n][;:?!»]|«[ \t\n]", shown):
                problems.append(f"{where} : {shown[:70]}")
        self.assertEqual(problems, [])


def _version_cases():
    """One TestCase per version and group of checks, named after both."""
    groups = [PackagedVersionChecks, CoverageChecks, ApplicabilityChecks,
              QuestionsAndMeasuresChecks, FrenchTypographyChecks]
    for version in VERSIONS:
        suffix = version.replace(".", "_")
        for group in groups + ([ContentPromisesChecks] if version >= "2026.2" else []):
            name = group.__name__.removesuffix("Checks") + f"TestCase_{suffix}"
            globals()[name] = type(name, (group, TestCase), {"version": version})


_version_cases()
