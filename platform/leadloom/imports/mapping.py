"""Suggesting which field each column fills, from the field labels (zh/en), codes and a
preset's synonyms, compared without case, spaces or punctuation."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping

from leadloom.imports.errors import ImportRequestError
from leadloom.imports.fields import OWNER, OWNER_LABEL, entity_of
from leadloom.imports.presets import PRESETS
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Registry

_NOISE = re.compile(r"[\W_]+", re.UNICODE)
_BRACKETED = re.compile(r"[(（\[【].*?[)）\]】]")


@functools.lru_cache(maxsize=65_536)
def key(header: str) -> str:
    """``header`` as compared: NFKC, lower case, no spaces or punctuation (a list repeats
    its option labels and names: each is worked out once)."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", header).casefold())


def _keys(text: str) -> set[str]:
    """``text`` compared as a whole and without its bracketed part ("预算下限(元)")."""
    found = {key(text), key(_BRACKETED.sub("", text))}
    return found - {""}


def suggest_mapping(registry: Registry, entity_code: str, headers: Iterable[str], *,
                    preset: str | None = None,
                    saved: Mapping[str, str | None] | None = None) -> dict[str, str | None]:
    """header -> field code, or None (ignore the column), for each of ``headers``.

    A saved mapping wins for the headers it names; then the entity's codes and labels,
    then the preset's synonyms. No field is suggested for two columns (the first wins).

    :raises ImportRequestError: unknown entity or preset.
    """
    entity = entity_of(registry, entity_code)
    if preset is not None and preset not in PRESETS:
        raise ImportRequestError(Message("there is no preset '%(preset)s'", preset=preset))
    known = {f.code for f in entity.fields if not f.system} | (
        {OWNER} if entity.owned else set())
    names = _names(registry, entity_code, preset)
    result: dict[str, str | None] = {}
    used: set[str] = set()
    for header in headers:
        chosen = None
        if saved is not None and header in saved:
            chosen = saved[header] if saved[header] in known else None
        else:
            chosen = next((names[k] for k in sorted(_keys(header), key=len, reverse=True)
                           if k in names and names[k] not in used), None)
        if chosen in used:
            chosen = None
        if chosen is not None:
            used.add(chosen)
        result[header] = chosen
    return result


def _names(registry: Registry, entity_code: str, preset: str | None) -> dict[str, str]:
    """Normalised name -> field code: the preset's synonyms, then codes and labels over them."""
    entity = registry.entity(entity_code)
    names: dict[str, str] = {}
    if preset is not None:
        for header, code in PRESETS[preset].synonyms.get(entity.code, ()):
            names.setdefault(key(header), code)
    own: dict[str, str] = {}
    labelled = [(f.code, f.label) for f in entity.fields if not f.system]
    if entity.owned:
        labelled.append((OWNER, OWNER_LABEL))
    for code, label in labelled:
        for text in (code, label.zh, label.en):
            for k in _keys(text):
                own.setdefault(k, code)
    names.update(own)
    return names
