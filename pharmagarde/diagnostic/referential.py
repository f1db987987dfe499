"""Referentials: the questionnaires, as versioned YAML data validated at load time.

One folder per version under referentials/ (`2026.1/`), one file per module (`socle.yaml`,
`officine.yaml`…). The format is documented in docs/content-format.md; errors name the file,
the line of the item, the item's id and the field, in French, so that a content author can
fix them without reading Python.

This module is framework-free: it reads files and returns plain dataclasses.
"""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jsonschema

from pharmagarde.lib.yamllines import load_with_lines

REFERENTIALS_DIR = Path(__file__).parent / "referentials"
KINDS = ["officine", "pui", "lbm", "industrie", "distribution"]
SIZES = ["1-9", "10-49", "50-249", "250+"]
CRITICALITIES = ["critique", "majeure", "normale"]
EFFORTS = ["faible", "moyen", "important"]
NIS2_LETTERS = list("abcdefghij")
MAX_CHOICE_SCORE = 3

_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$", "maxLength": 60}
_TEXT = {"type": "string", "minLength": 1}
_LIST_OF_TEXT = {"type": "array", "items": _TEXT, "minItems": 1}
_APPLIES_TO = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "kinds": {"type": "array", "items": {"enum": KINDS}, "minItems": 1},
        "sizes": {"type": "array", "items": {"enum": SIZES}, "minItems": 1},
    },
}
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "title", "themes"],
    "properties": {
        "id": _ID,
        "title": _TEXT,
        "description": _TEXT,
        "applies_to": _APPLIES_TO,
        "themes": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "title", "questions"],
                "properties": {
                    "id": _ID,
                    "title": _TEXT,
                    "intro": _TEXT,
                    "questions": {"type": "array", "minItems": 1,
                                  "items": {"$ref": "#/$defs/question"}},
                },
            },
        },
    },
    "$defs": {
        "question": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "text", "why", "choices"],
            # A scored question (the default) needs what scoring and the plan use; an
            # unscored one is checked for leftovers in _check_unscored, with a clearer message.
            "if": {"required": ["scored"], "properties": {"scored": {"const": False}}},
            "else": {"required": ["references", "measure"],
                     "properties": {"choices": {"items": {"required": ["score"]}}}},
            "properties": {
                "id": _ID,
                "text": _TEXT,
                "why": _TEXT,
                "help": _TEXT,
                "scored": {"type": "boolean"},
                "kind": {"enum": ["single", "multiple"]},
                "weight": {"type": "number", "minimum": 0.5, "maximum": 3},
                "criticality": {"enum": CRITICALITIES},
                "dont_know": {"type": "boolean"},
                "applies_to": _APPLIES_TO,
                "show_if": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["question", "choices"],
                    "properties": {
                        "question": _ID,
                        "choices": {"type": "array", "items": _ID, "minItems": 1},
                    },
                },
                "choices": {
                    "type": "array",
                    "minItems": 2,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["id", "label"],
                        "properties": {
                            "id": _ID,
                            "label": _TEXT,
                            "score": {"type": "number", "minimum": 0,
                                      "maximum": MAX_CHOICE_SCORE},
                            "exclusive": {"type": "boolean"},
                        },
                    },
                },
                "references": {
                    "type": "object",
                    "additionalProperties": False,
                    "minProperties": 1,
                    "properties": {
                        "anssi": {"type": "array", "minItems": 1,
                                  "items": {"type": "integer", "minimum": 1, "maximum": 42}},
                        "rgpd": _LIST_OF_TEXT,
                        "nis2": {"type": "array", "items": {"enum": NIS2_LETTERS}, "minItems": 1},
                        "cnil": _LIST_OF_TEXT,
                        "iso15189": _LIST_OF_TEXT,
                        "care": _LIST_OF_TEXT,
                        "autre": _LIST_OF_TEXT,
                    },
                },
                "measure": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["id", "title", "basic", "why", "how", "effort", "priority"],
                    "properties": {
                        "id": _ID,
                        "title": _TEXT,
                        "basic": _TEXT,
                        "advanced": _TEXT,
                        "why": _TEXT,
                        "how": _TEXT,
                        "effort": {"enum": EFFORTS},
                        "priority": {"type": "integer", "minimum": 1, "maximum": 999},
                    },
                },
            },
        }
    },
}


class ReferentialError(Exception):
    """A content error, worded for the person who writes the YAML files."""


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    score: float
    exclusive: bool = False


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    basic: str
    why: str
    how: str
    effort: str
    priority: int
    advanced: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    theme_id: str
    module_id: str
    text: str
    why: str
    choices: tuple
    references: dict
    measure: Measure | None  # None only for an unscored question
    kind: str = "single"
    weight: float = 1.0
    criticality: str = "normale"
    dont_know: bool = True
    help: str = ""
    kinds: tuple = tuple(KINDS)
    sizes: tuple = tuple(SIZES)
    show_if_question: str = ""
    show_if_choices: tuple = ()
    # An unscored question ("Avez-vous un Wi-Fi ?") is asked and drives its conditional
    # questions, but counts in no score and never makes a gap.
    scored: bool = True

    @property
    def max_score(self):
        scores = [choice.score for choice in self.choices]
        return sum(scores) if self.kind == "multiple" else max(scores)

    def choice(self, choice_id):
        return next((c for c in self.choices if c.id == choice_id), None)

    def best_choice_ids(self):
        """The answer that closes the gap: the top choice, or every scoring choice."""
        if self.kind == "multiple":
            return [c.id for c in self.choices if c.score > 0]
        return [max(self.choices, key=lambda c: c.score).id]

    def applies(self, kind, size):
        return kind in self.kinds and size in self.sizes


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    module_id: str
    intro: str = ""
    questions: tuple = ()


@dataclass
class Referential:
    version: str
    themes: list = field(default_factory=list)
    questions: dict = field(default_factory=dict)
    modules: dict = field(default_factory=dict)

    def themes_for(self, kind, size):
        """The themes, each with only its questions that apply to this organisation."""
        result = []
        for theme in self.themes:
            applicable = tuple(q for q in theme.questions if q.applies(kind, size))
            if applicable:
                result.append(Theme(theme.id, theme.title, theme.module_id, theme.intro,
                                    applicable))
        return result

    def measures(self):
        return {q.measure.id: q.measure for q in self.questions.values() if q.scored}


def _describe(data, path, lines, filename):
    """'socle.yaml:42 — question « gouv-referent », champ « weight »' for an error path."""
    item_id, item_kind, item_path = None, "module", ()
    cursor = data
    for depth, key in enumerate(path):
        if not isinstance(cursor, dict | list):
            break
        try:
            cursor = cursor[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(cursor, dict) and "id" in cursor and isinstance(key, int):
            item_id, item_path = cursor.get("id"), path[: depth + 1]
            item_kind = {"themes": "thème", "questions": "question", "choices": "choix"}.get(
                path[depth - 1] if depth else "", "élément")
    line = lines.get(tuple(path)) or lines.get(tuple(item_path)) or 1
    field_path = [str(k) for k in path[len(item_path):] if not isinstance(k, int)]
    parts = [f"{filename}:{line}"]
    if item_id:
        parts.append(f"{item_kind} « {item_id} »")
    if field_path:
        parts.append(f"champ « {'.'.join(field_path)} »")
    return " — ".join(parts)


_MESSAGES = {
    "required": "champ obligatoire manquant",
    "additionalProperties": "champ inconnu",
    "enum": "valeur non autorisée",
    "type": "type incorrect",
    "minItems": "liste trop courte",
    "minLength": "texte vide",
    "pattern": "identifiant invalide (minuscules, chiffres et tirets)",
    "minimum": "valeur trop petite",
    "maximum": "valeur trop grande",
}


def _schema_error(error, data, lines, filename):
    path = list(error.absolute_path)
    if error.validator in ("required", "additionalProperties"):
        # The field at fault is named only in the message: "'why' is a required property".
        names = [n for n in error.message.split("'")[1::2] if n]
        path += names[:1]
    where = _describe(data, path, lines, filename)
    reason = _MESSAGES.get(error.validator, "valeur incorrecte")
    return f"{where} : {reason} ({error.message})"


def parse_module(text, filename):
    """Validate one module file and return (module dict, line map)."""
    data, lines = load_with_lines(text, filename, ReferentialError)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise ReferentialError("\n".join(_schema_error(e, data, lines, filename)
                                         for e in errors[:20]))
    return data, lines


# --- Building the referential ------------------------------------------------------------

def _build_question(raw, theme_id, module, module_kinds):
    applies = raw.get("applies_to", {})
    show_if = raw.get("show_if", {})
    scored = raw.get("scored", True)
    return Question(
        id=raw["id"], theme_id=theme_id, module_id=module, text=raw["text"], why=raw["why"],
        help=raw.get("help", ""),
        choices=tuple(Choice(c["id"], c["label"], float(c.get("score", 0)),
                             c.get("exclusive", False))
                      for c in raw["choices"]),
        references=raw.get("references", {}),
        measure=Measure(**raw["measure"]) if scored else None,
        kind=raw.get("kind", "single"), weight=float(raw.get("weight", 1)),
        criticality=raw.get("criticality", "normale"), dont_know=raw.get("dont_know", scored),
        kinds=tuple(applies.get("kinds", module_kinds)),
        sizes=tuple(applies.get("sizes", SIZES)),
        show_if_question=show_if.get("question", ""),
        show_if_choices=tuple(show_if.get("choices", ())),
        scored=scored,
    )


# Fields that only mean something for a question that scores.
SCORING_FIELDS = ("weight", "criticality", "measure")


def _check_unscored(raw, path, lines, filename):
    """An unscored question declaring a scoring field is a mistake, not a harmless extra:
    the author believes it counts. Name the field so that they choose."""
    def error(field_path, reason):
        line = lines.get((*path, *field_path)) or lines[path]
        name = ".".join(str(k) for k in field_path if not isinstance(k, int))
        raise ReferentialError(f"{filename}:{line} — question « {raw['id']} » — champ « "
                               f"{name} » : {reason}")

    for name in SCORING_FIELDS:
        if name in raw:
            error((name,), "une question non notée (scored: false) ne compte pas dans le "
                           "score : retirez ce champ, ou retirez « scored: false »")
    for index, choice in enumerate(raw["choices"]):
        if "score" in choice:
            error(("choices", index, "score"), f"choix « {choice['id']} » : les choix d'une "
                  "question non notée (scored: false) ne rapportent pas de points")
    if raw.get("dont_know"):
        # Not knowing would hide the conditional questions and leave no gap behind.
        error(("dont_know",), "une question non notée (scored: false) ne propose pas « Je ne "
                              "sais pas » : sa réponse décide des questions suivantes")


def _check_semantics(referential, question, where, seen_measures):
    choice_ids = [c.id for c in question.choices]
    if len(set(choice_ids)) != len(choice_ids):
        raise ReferentialError(f"{where} : deux choix portent le même identifiant")
    if question.kind == "single" and any(c.exclusive for c in question.choices):
        raise ReferentialError(f"{where}, champ « exclusive » : réservé aux questions à "
                               "choix multiple")
    if question.scored and question.max_score <= 0:
        raise ReferentialError(f"{where}, champ « choices » : aucun choix ne rapporte de points")
    if question.show_if_question:
        parent = referential.questions.get(question.show_if_question)
        if parent is None:
            raise ReferentialError(
                f"{where}, champ « show_if.question » : la question « "
                f"{question.show_if_question} » n'existe pas ou vient après celle-ci")
        unknown = set(question.show_if_choices) - {c.id for c in parent.choices}
        if unknown:
            raise ReferentialError(f"{where}, champ « show_if.choices » : choix inconnus de « "
                                   f"{parent.id} » : {', '.join(sorted(unknown))}")
    if not question.scored:
        return
    measure = seen_measures.get(question.measure.id)
    if measure is not None and measure != question.measure:
        raise ReferentialError(f"{where}, champ « measure.id » : la mesure « "
                               f"{question.measure.id} » est déjà définie autrement")
    seen_measures[question.measure.id] = question.measure


def build_referential(version, files):
    """files: [(filename, text)] in module order (socle first). Returns a Referential."""
    referential = Referential(version=version)
    seen_measures = {}
    theme_ids = set()
    for filename, text in files:
        data, lines = parse_module(text, filename)
        module_kinds = data.get("applies_to", {}).get("kinds", KINDS)
        referential.modules[data["id"]] = data["title"]
        for t_index, raw_theme in enumerate(data["themes"]):
            if raw_theme["id"] in theme_ids:
                raise ReferentialError(f"{filename}:{lines[('themes', t_index)]} — thème « "
                                       f"{raw_theme['id']} » : identifiant déjà utilisé")
            theme_ids.add(raw_theme["id"])
            questions = []
            for q_index, raw in enumerate(raw_theme["questions"]):
                path = ("themes", t_index, "questions", q_index)
                line = lines[path]
                if raw.get("scored", True) is False:
                    _check_unscored(raw, path, lines, filename)
                question = _build_question(raw, raw_theme["id"], data["id"], module_kinds)
                if question.id in referential.questions:
                    raise ReferentialError(f"{filename}:{line} — question « {question.id} » : "
                                           "identifiant déjà utilisé")
                where = f"{filename}:{line} — question « {question.id} »"
                _check_semantics(referential, question, where, seen_measures)
                referential.questions[question.id] = question
                questions.append(question)
            referential.themes.append(Theme(raw_theme["id"], raw_theme["title"], data["id"],
                                            raw_theme.get("intro", ""), tuple(questions)))
    return referential


def module_order(path):
    # The common base comes first, then the profession modules in alphabetical order.
    return (path.stem != "socle", path.stem)


def load_version(version, directory=REFERENTIALS_DIR):
    folder = Path(directory) / version
    paths = sorted(folder.glob("*.yaml"), key=module_order)
    if not paths:
        raise ReferentialError(f"{folder} : aucun fichier de référentiel")
    files = [(f"{version}/{p.name}", p.read_text(encoding="utf-8")) for p in paths]
    return build_referential(version, files)


def available_versions(directory=REFERENTIALS_DIR):
    """Versions sorted oldest first; names are dates (2026.1, 2026.2…)."""
    def key(name):
        return tuple(int(part) if part.isdigit() else part for part in name.split("."))

    return sorted((p.name for p in Path(directory).iterdir() if p.is_dir()), key=key)


@cache
def get_referential(version):
    return load_version(version)


def latest_version():
    return available_versions()[-1]


def compare_versions(old, new):
    """What changed between two versions, by question id."""
    old_ids, new_ids = set(old.questions), set(new.questions)
    changed = sorted(
        qid for qid in old_ids & new_ids
        if (old.questions[qid].text, old.questions[qid].choices)
        != (new.questions[qid].text, new.questions[qid].choices)
    )
    return {"added": sorted(new_ids - old_ids), "removed": sorted(old_ids - new_ids),
            "changed": changed}
