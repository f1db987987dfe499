"""Rebuild the vendored endoflife.date snapshot from a local copy of its data.

    manage.py eol_refresh --from DIR [--dry-run] [--commit SHA] [--date AAAA-MM-JJ]

DIR is either a folder of product files (`windows.yaml`…, the front matter only, with
README.md and LICENSE) or a checkout of the endoflife.date repository (`products/*.md`,
front matter between `---` lines, LICENSE at the root). Only the products listed in
endoflife/catalogue.yaml are taken, with only the fields the catalogue uses; each is
validated with the catalogue's schema before anything is written. Nothing is fetched.
"""

import re
import shutil
import subprocess  # noqa: S404 - only `git log` on the local copy given with --from
from datetime import date
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from pharmagarde.inventory import catalogue as cat
from pharmagarde.lib.yamllines import load_with_lines

HEADER = ("# Généré par « manage.py eol_refresh » depuis endoflife.date (licence MIT, voir\n"
          "# LICENSE) : ne pas modifier à la main, relancez la commande.\n")
FIELD_LABELS = {"releaseLabel": "libellé", "codename": "nom de code",
                "releaseDate": "sortie", "eoas": "fin du support actif (eoas)",
                "eol": "fin du support (eol)", "eoes": "fin du support étendu (eoes)",
                "latest": "dernière version", "lts": "LTS", "link": "lien"}


class _Dumper(yaml.SafeDumper):
    """Plain YAML; strings that would read back as numbers ("10.0", "8") come out quoted."""


def _source_text(source_dir, product_id):
    """(file name, YAML text) of a product in either source layout, or None."""
    flat = source_dir / f"{product_id}.yaml"
    if flat.is_file():
        return flat.name, flat.read_text(encoding="utf-8")
    page = source_dir / "products" / f"{product_id}.md"
    if page.is_file():
        found = re.match(r"---\s*\n(.*?)\n---\s*(\n|$)", page.read_text(encoding="utf-8"),
                         re.DOTALL)
        if not found:
            raise CommandError(f"products/{page.name} : pas d'en-tête YAML entre « --- »")
        return f"products/{page.name}", found.group(1)
    return None


def build_product(product_id, name, text):
    """The vendored product: the source's fields we use, labels rendered, validated with
    the catalogue's schema (errors name the source file and line)."""
    source, lines = load_with_lines(text, name, cat.CatalogueError)
    if not isinstance(source, dict):
        raise cat.CatalogueError(f"{name}:1 — un produit est attendu")
    template = source.get("releaseLabel")
    product = {"id": product_id, "title": source.get("title"),
               "releasePolicyLink": source.get("releasePolicyLink"),
               "releases": []}
    product = {key: value for key, value in product.items() if value is not None}
    for release in source.get("releases") or []:
        if not isinstance(release, dict):
            product["releases"].append(release)  # the schema says what is wrong
            continue
        # An empty text or link in the source ("latest: ''") says nothing: left out.
        kept = {key: release[key] for key in cat.RELEASE_FIELDS
                if key in release and release[key] not in ("", None)}
        if "releaseCycle" in kept and isinstance(kept["releaseCycle"], str):
            label = cat._render_label(release, template)
            if label != kept["releaseCycle"]:
                kept["releaseLabel"] = label
            else:
                kept.pop("releaseLabel", None)
        product["releases"].append({k: kept[k] for k in cat.RELEASE_FIELDS if k in kept})
    cat.validate(product, lines, cat.PRODUCT_SCHEMA, name)
    cat.check_releases(product, lines, name)
    return product


def _dump(product):
    return HEADER + yaml.dump(product, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                              width=100)


def _source_meta(source_dir, commit, day):
    """The commit and date of the source copy: given, from git, or from its README."""
    if (commit is None or day is None) and (source_dir / ".git").exists():
        try:
            # Fixed arguments, on the local copy only.
            out = subprocess.run(  # noqa: S603
                ["git", "-C", str(source_dir), "log", "-1", "--format=%H %cs"],  # noqa: S607
                capture_output=True, text=True, check=True, timeout=30).stdout.split()
            commit, day = commit or out[0], day or out[1]
        except (OSError, subprocess.SubprocessError, IndexError):
            pass
    readme = source_dir / "README.md"
    if (commit is None or day is None) and readme.is_file():
        text = readme.read_text(encoding="utf-8")
        found = re.search(r"\b([0-9a-f]{40})\b", text)
        commit = commit or (found.group(1) if found else None)
        found = re.search(r"\b(\d{4}-\d{2}-\d{2})\b", text)
        day = day or (found.group(1) if found else None)
    if commit is None or day is None:
        raise CommandError("Impossible de trouver le commit et la date de la copie "
                           "d'endoflife.date : précisez --commit et --date.")
    if not re.fullmatch(r"[0-9a-f]{40}", commit):
        raise CommandError(f"--commit : « {commit} » n'est pas un identifiant de commit "
                           "(40 caractères hexadécimaux).")
    try:
        day = date.fromisoformat(str(day))
    except ValueError as error:
        raise CommandError(f"--date : « {day} » n'est pas une date AAAA-MM-JJ.") from error
    return commit, day


def _diff(old, new):
    """(added, changed, removed) cycle ids; changed as 'cycle (fields)'."""
    old_cycles = {r["releaseCycle"]: r for r in (old or {}).get("releases", [])}
    new_cycles = {r["releaseCycle"]: r for r in new["releases"]}
    added = [c for c in new_cycles if c not in old_cycles]
    removed = [c for c in old_cycles if c not in new_cycles]
    changed = []
    for cycle, release in new_cycles.items():
        before = old_cycles.get(cycle)
        if before is not None and before != release:
            fields = sorted(set(before) | set(release),
                            key=lambda k: cat.RELEASE_FIELDS.index(k)
                            if k in cat.RELEASE_FIELDS else 99)
            fields = [FIELD_LABELS.get(k, k) for k in fields if before.get(k) != release.get(k)]
            changed.append(f"{cycle} ({', '.join(fields)})")
    return added, changed, removed


def _plural(count, word):
    return f"{count} cycle{'s' if count > 1 else ''} {word}{'s' if count > 1 else ''}"


class Command(BaseCommand):
    help = ("Reconstruit l'instantané endoflife.date du catalogue des fins de support à "
            "partir d'une copie locale, sans accès au réseau.")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True,
                            help="dossier de la copie locale d'endoflife.date")
        parser.add_argument("--dry-run", action="store_true",
                            help="affiche les changements sans rien écrire")
        parser.add_argument("--commit", help="commit de la copie (sinon git ou README.md)")
        parser.add_argument("--date", help="date de la copie, AAAA-MM-JJ")
        parser.add_argument("--target", default=str(cat.ENDOFLIFE_DIR),
                            help="dossier du catalogue (par défaut celui du paquet)")

    def handle(self, *args, source, dry_run, commit, date, target, **options):
        source_dir, target_dir = Path(source), Path(target)
        if not source_dir.is_dir():
            raise CommandError(f"--from : le dossier « {source_dir} » n'existe pas.")
        licence = next((p for p in (source_dir / "LICENSE", source_dir / "LICENSE.md")
                        if p.is_file()), None)
        if licence is None:
            raise CommandError(f"{source_dir} : pas de fichier LICENSE. La licence MIT "
                               "d'endoflife.date doit accompagner toute copie de ses données.")
        try:
            config, _ = cat._read(target_dir, cat.CONFIG_FILE, cat.CONFIG_SCHEMA)
        except cat.CatalogueError as error:
            raise CommandError(str(error)) from error
        commit, day = _source_meta(source_dir, commit, date)

        products, missing = {}, []
        for entry in config["products"]:
            found = _source_text(source_dir, entry["id"])
            if found is None:
                missing.append(entry["id"])
                continue
            try:
                products[entry["id"]] = build_product(entry["id"], *found)
            except cat.CatalogueError as error:
                raise CommandError(f"Copie source invalide, rien n'a été écrit :\n{error}") \
                    from error
        if missing:
            raise CommandError(f"Produits de {cat.CONFIG_FILE} absents de {source_dir} : "
                               f"{', '.join(missing)}. Rien n'a été écrit.")

        products_dir = target_dir / cat.PRODUCTS_DIR
        lines, writes = [], {}
        for product_id, product in products.items():
            path = products_dir / f"{product_id}.yaml"
            text = _dump(product)
            old = None
            if path.is_file():
                old_text = path.read_text(encoding="utf-8")
                if old_text == text:
                    continue
                old = yaml.safe_load(old_text)
            writes[path] = text
            if old is None:
                lines.append(f"{product_id} : nouveau produit, "
                             f"{_plural(len(product['releases']), 'ajouté')}")
                continue
            added, changed, removed = _diff(old, product)
            parts = []
            if added:
                parts.append(f"{_plural(len(added), 'ajouté')} ({', '.join(added)})")
            if changed:
                parts.append(f"{_plural(len(changed), 'modifié')} : {'; '.join(changed)}")
            if removed:
                parts.append(f"{_plural(len(removed), 'retiré')} ({', '.join(removed)})")
            if not parts:
                parts.append("titre ou lien modifié" if old != product
                             else "présentation du fichier mise à jour")
            lines.append(f"{product_id} : {' ; '.join(parts)}")
        stale = sorted(p for p in products_dir.glob("*.yaml") if p.stem not in products)
        for path in stale:
            lines.append(f"{path.stem} : retiré du catalogue, fichier supprimé")

        snapshot = {"version": f"{day.isoformat()} ({commit[:7]})",
                    "source": {"project": "endoflife.date", "url": "https://endoflife.date",
                               "repository": "https://github.com/endoflife-date/endoflife.date",
                               "commit": commit, "date": day, "licence": "MIT"}}
        snapshot_text = ("# Instantané d'endoflife.date repris dans products/ : écrit par "
                         "« manage.py eol_refresh ».\n"
                         + yaml.dump(snapshot, Dumper=_Dumper, sort_keys=False,
                                     allow_unicode=True))
        snapshot_path = target_dir / cat.SNAPSHOT_FILE
        if not snapshot_path.is_file() or snapshot_path.read_text(encoding="utf-8") \
                != snapshot_text:
            writes[snapshot_path] = snapshot_text
            lines.append(f"Instantané : commit {commit[:7]} du {day.isoformat()}")
        licence_path = target_dir / "LICENSE"
        licence_changed = (not licence_path.is_file()
                           or licence_path.read_bytes() != licence.read_bytes())
        if licence_changed:
            lines.append("LICENSE : copiée depuis la source")

        if not lines:
            self.stdout.write("Aucun changement : l'instantané est déjà à jour "
                              f"({len(products)} produits).")
            return
        for line in lines:
            self.stdout.write(f"- {line}")
        if dry_run:
            self.stdout.write("Simulation (--dry-run) : rien n'a été écrit.")
            return
        products_dir.mkdir(parents=True, exist_ok=True)
        for path, text in writes.items():
            path.write_text(text, encoding="utf-8")
        for path in stale:
            path.unlink()
        if licence_changed:
            shutil.copyfile(licence, licence_path)
        try:
            cat.load_catalogue(target_dir)
        except cat.CatalogueError as error:
            raise CommandError(f"Le catalogue écrit ne se charge pas :\n{error}") from error
        cat.get_catalogue.cache_clear()
        self.stdout.write(self.style.SUCCESS(
            f"Instantané écrit dans {target_dir} : {len(products)} produits, "
            f"version {snapshot['version']}."))
