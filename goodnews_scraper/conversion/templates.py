"""Jinja2 templates for pages, indexes, the home page and the HTML page frame.

Users edit the templates, never the code: the packaged ones live in the
top-level ``templates/`` folder, and a folder named by the ``TEMPLATES_DIR``
setting overrides any of them file by file. Values are inserted as data
(never compiled as templates) through filters that make them inert Markdown.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from urllib.parse import quote

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    Template,
    TemplateError,
    select_autoescape,
)

TEMPLATE_NAMES = ("page.md.j2", "index.md.j2", "home.md.j2", "page.html.j2")
TEMPLATE_SUFFIX = ".j2"
#: Templates the others include or import: compiled at start too, so a broken
#: one fails the start rather than the first page.
INCLUDED_NAMES = ("header.md.j2", "footer.md.j2", "_labels.md.j2")
#: Source-tree location of the templates (an installed egg carries them as
#: the package data ``goodnews_scraper/templates``).
SOURCE_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&^\"'=:$])")
_MD_ESCAPED = re.compile(r"\\(.)")
_SPACE = re.compile(r"\s+")
#: Characters a Markdown link destination may hold as they are.
_URL_SAFE = ":/?#@!$&'*+,;=%~-._"


class TemplateSetupError(RuntimeError):
    """A template that is missing or does not compile, found at start-up."""


class TemplateRenderError(RuntimeError):
    """A template that compiles but fails on the data it is given (an undefined name, ...)."""


def describe_render_error(name: str, error: Exception) -> str:
    """``template page.md.j2, line 12: 'x' is undefined``: where a template failed.

    Jinja2 rewrites tracebacks so that template code appears as frames of the
    template file at its own line: the innermost such frame is where it failed
    (in an included template, that one is named).
    """
    where = name
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith(TEMPLATE_SUFFIX):
            where = f"{Path(frame.filename).name}, line {frame.lineno}"
            break
    return f"template {where}: {error}"


def md_text(value: object) -> str:
    """Text that renders as itself in inline Markdown: no link, emphasis, HTML.

    CommonMark lets any ASCII punctuation be backslash-escaped; CJK text has
    none, so Chinese titles come out untouched.
    """
    return _MD_SPECIAL.sub(r"\\\1", _SPACE.sub(" ", str(value)).strip())


def md_unescape(text: str) -> str:
    """The text a backslash-escaped Markdown string stands for (what :func:`md_text` escaped)."""
    return _MD_ESCAPED.sub(r"\1", text)


def md_url(value: object) -> str:
    """A URL or relative path safe as a Markdown link destination."""
    return quote(str(value).strip(), safe=_URL_SAFE)


def _packaged_loader() -> BaseLoader:
    try:
        return PackageLoader("goodnews_scraper", "templates")
    except ValueError:
        return FileSystemLoader(str(SOURCE_TEMPLATES))


def template_environment(user_dir: str | Path | None = None) -> Environment:
    loaders: list[BaseLoader] = []
    if user_dir:
        if not Path(user_dir).is_dir():
            raise TemplateSetupError(f"TEMPLATES_DIR {str(user_dir)!r} is not a folder")
        loaders.append(FileSystemLoader(str(user_dir)))
    loaders.append(_packaged_loader())
    env = Environment(
        loader=ChoiceLoader(loaders),
        # Markdown templates escape through the md filters; HTML ones escape
        # every value unless it is marked safe (the rendered body).
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["md"] = md_text
    env.filters["md_url"] = md_url
    return env


def load_templates(user_dir: str | Path | None = None) -> dict[str, Template]:
    """Every template the mirror needs, compiled now so a bad one fails the start."""
    env = template_environment(user_dir)
    templates: dict[str, Template] = {}
    for name in (*TEMPLATE_NAMES, *INCLUDED_NAMES):
        try:
            templates[name] = env.get_template(name)
        except TemplateError as error:
            raise TemplateSetupError(f"template {name}: {error}") from error
    return {name: templates[name] for name in TEMPLATE_NAMES}


def render(template: Template, **context: object) -> str:
    """Render and normalise: no trailing spaces beyond a hard break, one final newline.

    Raises :class:`TemplateRenderError` naming the template and line that failed.
    """
    try:
        text = template.render(**context)
    except Exception as error:  # whatever the user's template raises on this data
        raise TemplateRenderError(describe_render_error(template.name or "?", error)) from error
    lines = [
        line if line.endswith("  ") and line.strip() else line.rstrip()
        for line in text.splitlines()
    ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"
