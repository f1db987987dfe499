"""The e-learning modules, as data: one folder per module in modules/, named after its key.

Each folder holds the lesson, lecon.md (Markdown after a YAML front matter between two
« --- » lines: `titre`, `duree_minutes` from 5 to 10, `objectifs` in 3 to 5 lines, `heures`
of training counted for the module, a decimal such as 0.25), and its quiz, quiz.yaml
(`seuil`, the pass mark in percent, 80 by default, and 5 to 8 `questions`, each with `id`,
`texte`, `choix` [{`id`, `texte`, `correct`, `explication`}], `explication_generale`, and
`plusieurs: true` when more than one choice is right). Every choice explains why it is right
or wrong: the explanation is what the person learns from the quiz.

Both files are validated when first read: an error names the file and the line. The lesson
is rendered once, HTML in the source disabled (it is shown as text), then cleaned with nh3 to
a short list of tags; links are kept only when they are https or relative. Our own French,
for a pharmacy team with no IT background.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from pharmagarde.lib.typography import french_spacing_html
from pharmagarde.lib.yamllines import load_validated

MODULES_DIR = Path(__file__).resolve().parent / "modules"
# The order the modules are listed in.
KEYS = ("mots-de-passe", "hameconnage", "rancongiciel", "rgpd-sante", "cps", "wifi-mobiles",
        "supports-amovibles", "fraude-president", "ia-generative", "reseaux-sociaux")
LESSON, QUIZ = "lecon.md", "quiz.yaml"
DEFAULT_PASS_MARK = 80
MIN_MINUTES, MAX_MINUTES = 5, 10

ALLOWED_TAGS = {"h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "blockquote", "code",
                "a", "table", "thead", "tbody", "tr", "th", "td", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"https"}
# A link whose address nh3 refused (http:, mailto:, …) is left as its text alone.
_LINK_WITHOUT_HREF = re.compile(r"<a(?: rel=\"[^\"]*\")?>(.*?)</a>", re.DOTALL)

_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$", "maxLength": 40}
_TEXT = {"type": "string", "minLength": 2, "maxLength": 600}
_EXPLANATION = {"type": "string", "minLength": 10, "maxLength": 1200}

LESSON_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["titre", "duree_minutes", "objectifs", "heures"],
    "properties": {
        "titre": {"type": "string", "minLength": 5, "maxLength": 120},
        "duree_minutes": {"type": "integer", "minimum": MIN_MINUTES, "maximum": MAX_MINUTES},
        "objectifs": {"type": "array", "minItems": 3, "maxItems": 5,
                      "items": {"type": "string", "minLength": 10, "maxLength": 200}},
        "heures": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
    },
}

QUIZ_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["questions"],
    "properties": {
        "seuil": {"type": "integer", "minimum": 1, "maximum": 100},
        "questions": {
            "type": "array", "minItems": 5, "maxItems": 8,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "texte", "choix", "explication_generale"],
                "properties": {
                    "id": _ID,
                    "texte": {**_TEXT, "minLength": 10},
                    "plusieurs": {"type": "boolean"},
                    "explication_generale": _EXPLANATION,
                    "choix": {
                        "type": "array", "minItems": 2, "maxItems": 6,
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["id", "texte", "correct", "explication"],
                            "properties": {"id": _ID, "texte": _TEXT,
                                           "correct": {"type": "boolean"},
                                           "explication": _EXPLANATION},
                        },
                    },
                },
            },
        },
    },
}


class ModuleError(Exception):
    """A module file that does not follow the format (the message names file and line)."""


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    correct: bool
    explanation: str  # why this choice is right, or wrong


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    choices: tuple[Choice, ...]
    multiple: bool  # more than one choice may be right (shown as check boxes)
    explanation: str  # shown with the result, whatever was answered

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(choice.id for choice in self.choices if choice.correct)


@dataclass(frozen=True)
class Module:
    key: str
    title: str
    minutes: int  # reading time
    hours: Decimal  # training hours counted for the module (DPC-style total)
    objectives: tuple[str, ...]
    html: str  # the rendered lesson, safe to show as it is
    questions: tuple[Question, ...]
    pass_mark: int  # percent of questions answered right to pass

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    chosen: frozenset[str]  # the ids of the choices the person ticked (known ones only)
    correct: bool  # exactly the right choices, no more, no less
    # The choices whose explanation to show: those ticked, then the right ones not ticked.
    shown: tuple[Choice, ...]

    @property
    def explanations(self) -> tuple[str, ...]:
        """The explanations to show, in order: of each choice in `shown`, then the general
        one of the question."""
        return (*(choice.explanation for choice in self.shown), self.question.explanation)


@dataclass(frozen=True)
class Grade:
    score: int  # percent of questions answered right, rounded down
    passed: bool
    results: tuple[QuestionResult, ...]  # one per question of the module, in its order

    @property
    def right(self) -> int:
        return sum(result.correct for result in self.results)


# Rendering ------------------------------------------------------------------------------

@cache
def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def render(text: str) -> str:
    """Safe HTML of a Markdown text: HTML in the source is escaped, the output keeps only
    ALLOWED_TAGS, and links only when they are https or relative (javascript:, data:,
    http: are dropped)."""
    import nh3

    html = nh3.clean(_markdown().render(text), tags=ALLOWED_TAGS,
                     attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer")
    return french_spacing_html(_LINK_WITHOUT_HREF.sub(r"\1", html))


def _check_markdown(body: str, filename: str, first_line: int) -> None:
    """What the lesson's Markdown may not hold: a level 1 heading (the title comes from the
    front matter) or below level 4, an image."""
    for token in _markdown().parse(body):
        line = first_line + (token.map[0] if token.map else 0)
        if token.type == "heading_open" and token.tag not in {"h2", "h3", "h4"}:
            raise ModuleError(f"{filename}:{line} — titre de niveau {token.tag[1]} : utilisez "
                              "## (niveau 2) à #### (niveau 4)")
        if token.type == "inline" and any(child.type == "image"
                                          for child in token.children or ()):
            raise ModuleError(f"{filename}:{line} — pas d'image dans une leçon")


# Reading ----------------------------------------------------------------------------------

def split_front_matter(text: str, filename: str) -> tuple[str, str, int]:
    """(front matter, body, line of the body's first line) of a lesson. The front matter is
    returned with a blank first line, so that its line numbers are those of the file."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ModuleError(f"{filename}:1 — la leçon doit commencer par son en-tête YAML, "
                          "entre deux lignes « --- »")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n" + "".join(lines[1:index]), "".join(lines[index + 1:]), index + 2
    raise ModuleError(f"{filename}:1 — l'en-tête YAML n'est pas fermé par une ligne « --- »")


def parse_lesson(text: str, filename: str) -> tuple[dict, str]:
    """(front matter, rendered HTML) of a lecon.md."""
    front, body, first_line = split_front_matter(text, filename)
    data, lines = load_validated(front, filename, LESSON_SCHEMA, ModuleError)
    hours = Decimal(str(data["heures"]))
    if hours.as_tuple().exponent < -2:
        raise ModuleError(f"{filename}:{lines[('heures',)]} — heures : au plus deux décimales "
                          f"({data['heures']})")
    if not body.strip():
        raise ModuleError(f"{filename}:{first_line} — la leçon est vide")
    _check_markdown(body, filename, first_line)
    return {**data, "heures": hours}, render(body)


def parse_quiz(text: str, filename: str) -> tuple[tuple[Question, ...], int]:
    """(questions, pass mark) of a quiz.yaml."""
    data, lines = load_validated(text, filename, QUIZ_SCHEMA, ModuleError)
    seen = set()
    for q_index, item in enumerate(data["questions"]):
        where = f"{filename}:{lines[('questions', q_index, 'id')]}"
        if item["id"] in seen:
            raise ModuleError(f"{where} — la question « {item['id']} » apparaît deux fois")
        seen.add(item["id"])
        choice_ids = set()
        for c_index, choice in enumerate(item["choix"]):
            if choice["id"] in choice_ids:
                line = lines[("questions", q_index, "choix", c_index, "id")]
                raise ModuleError(f"{filename}:{line} — le choix « {choice['id']} » apparaît "
                                  f"deux fois dans la question « {item['id']} »")
            choice_ids.add(choice["id"])
        right = sum(choice["correct"] for choice in item["choix"])
        if right == 0:
            raise ModuleError(f"{where} — la question « {item['id']} » n'a aucun choix "
                              "correct")
        if right > 1 and not item.get("plusieurs", False):
            raise ModuleError(f"{where} — la question « {item['id']} » a {right} choix "
                              "corrects : ajoutez « plusieurs: true » ou n'en gardez qu'un")
        if right == len(item["choix"]):
            raise ModuleError(f"{where} — dans la question « {item['id']} », tous les choix "
                              "sont corrects : il faut au moins un choix faux")
    questions = tuple(
        Question(id=item["id"], text=item["texte"].strip(),
                 choices=tuple(Choice(id=c["id"], text=c["texte"].strip(),
                                      correct=c["correct"],
                                      explanation=c["explication"].strip())
                               for c in item["choix"]),
                 multiple=item.get("plusieurs", False),
                 explanation=item["explication_generale"].strip())
        for item in data["questions"])
    return questions, data.get("seuil", DEFAULT_PASS_MARK)


def load(folder: Path) -> Module:
    """The module of one folder (its name is the key)."""
    key = folder.name
    lesson = folder / LESSON
    quiz = folder / QUIZ
    for path in (lesson, quiz):
        if not path.is_file():
            raise ModuleError(f"{key}/{path.name} — fichier absent")
    front, html = parse_lesson(lesson.read_text(encoding="utf-8"), f"{key}/{LESSON}")
    questions, pass_mark = parse_quiz(quiz.read_text(encoding="utf-8"), f"{key}/{QUIZ}")
    return Module(key=key, title=front["titre"].strip(), minutes=front["duree_minutes"],
                  hours=front["heures"],
                  objectives=tuple(" ".join(line.split()) for line in front["objectifs"]),
                  html=html, questions=questions, pass_mark=pass_mark)


@cache
def _catalogue(directory: Path, keys: tuple[str, ...]) -> dict[str, Module]:
    folders = {path.name: path for path in directory.iterdir() if path.is_dir()}
    unknown = sorted(set(folders) - set(keys))
    if unknown:
        raise ModuleError(f"{directory.name}/{unknown[0]} — module inconnu (les clés sont : "
                          f"{', '.join(keys)})")
    missing = [key for key in keys if key not in folders]
    if missing:
        raise ModuleError(f"{directory.name}/ — il manque le module : {', '.join(missing)}")
    return {key: load(folders[key]) for key in keys}


def modules(directory: Path = MODULES_DIR, keys: tuple[str, ...] = KEYS) -> tuple[Module, ...]:
    """Every module, in the order of KEYS. Read and checked once."""
    return tuple(_catalogue(directory, keys).values())


def module(key: str) -> Module:
    """The module of that key; KeyError when there is none."""
    try:
        return _catalogue(MODULES_DIR, KEYS)[key]
    except KeyError:
        raise KeyError(f"module inconnu : {key}") from None


def total_hours(keys) -> Decimal:
    """The training hours of these modules added up (each key counted once)."""
    return sum((module(key).hours for key in set(keys)), Decimal("0"))


# Grading ----------------------------------------------------------------------------------

def grade(module: Module, answers: dict[str, set[str]]) -> Grade:
    """The result of one attempt. `answers` is {question id: ids of the choices ticked};
    unknown question and choice ids are ignored, a question without an answer is wrong, and
    a question with several right choices is right only when all of them, and only them,
    are ticked."""
    results = []
    for question in module.questions:
        given = answers.get(question.id) or ()
        if isinstance(given, str):
            given = {given}
        known = {choice.id for choice in question.choices}
        chosen = frozenset(given) & known
        correct = chosen == question.correct_ids
        shown = (*(c for c in question.choices if c.id in chosen),
                 *(c for c in question.choices if c.correct and c.id not in chosen))
        results.append(QuestionResult(question=question, chosen=chosen, correct=correct,
                                      shown=shown))
    right = sum(result.correct for result in results)
    score = 100 * right // len(results) if results else 0
    return Grade(score=score, passed=score >= module.pass_mark, results=tuple(results))
