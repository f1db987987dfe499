"""YAML data files read with the line of every value, so that a schema error can name the
file and the line (the diagnostic's referentials, the inventory's end-of-life catalogue)."""

import yaml


def load_with_lines(text: str, filename: str, error: type[Exception]):
    """(data, {path tuple: line number}) of a YAML text. Raises `error` with a French
    message naming the file and line for unreadable YAML, an empty file or a key given
    twice (which yaml.safe_load would silently keep once)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f"{filename}:{mark.line + 1}" if mark else filename
        raise error(f"{where} — YAML illisible : {getattr(problem, 'problem', problem)}") \
            from problem
    if node is None:
        raise error(f"{filename}:1 — fichier vide")
    lines = {}
    return _to_python(node, (), lines, filename, error), lines


def _to_python(node, path, lines, filename, error):
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in result:
                raise error(f"{filename}:{key_node.start_mark.line + 1} — le champ « {key} » "
                            "apparaît deux fois")
            result[key] = _to_python(value_node, (*path, key), lines, filename, error)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, index), lines, filename, error)
                for index, item in enumerate(node.value)]
    return yaml.SafeLoader("").construct_object(node, deep=True)


def load_validated(text: str, filename: str, schema: dict, error: type[Exception],
                   *, shown: int = 20):
    """(data, lines) of a YAML text that follows a JSON schema (draft 2020-12). Raises
    `error` with one French line per problem (at most `shown`), each naming the file, the
    line and the field: « essai.yaml:12 — etapes.3.texte : … » (the playbooks, the
    activities of the continuity plan, the exercise scenarios)."""
    import jsonschema

    data, lines = load_with_lines(text, filename, error)
    problems = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data),
                      key=lambda e: list(map(str, e.absolute_path)))
    if problems:
        raise error("\n".join(
            f"{filename}:{lines.get(tuple(e.absolute_path), 1)} — "
            f"{'.'.join(map(str, e.absolute_path)) or 'fichier'} : {e.message}"
            for e in problems[:shown]))
    return data, lines
