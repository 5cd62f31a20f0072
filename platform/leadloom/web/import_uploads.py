"""The file being imported, held between the wizard's steps (upload, map, preview).

The bytes go to a file under the app's uploads folder named by a random token, with a small
JSON note beside it (who uploaded it, into which entity, the choices made so far); the
token sits in the uploader's session, one per entity, so a reload or the back button never
loses the upload and no other user can reach it. Starting the import, a new upload or a
day's age removes the files.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flask import current_app, session

#: the session key: entity code → token of the upload in progress
SESSION_KEY = "ll_imports"
#: uploads older than this are removed when the next one is held
MAX_AGE_SECONDS = 24 * 3600
NOTE, DATA = ".json", ".data"


@dataclass(frozen=True, slots=True)
class HeldUpload:
    """An upload between steps: the file's name, its bytes' place and the choices so far."""

    token: str
    entity: str
    user_id: int
    filename: str
    #: step 1's choices (preset, duplicates, money unit) and step 2's mapping and name
    choices: dict[str, Any] = field(default_factory=dict)

    def data(self) -> bytes:
        return _path(self.token, DATA).read_bytes()


def uploads_folder() -> Path:
    """Next to the reports archive, which every web process of a site shares."""
    settings = current_app.config["LEADLOOM_SETTINGS"]
    return Path(settings.reports_dir).parent / "uploads"


def hold(entity: str, user_id: int, filename: str, data: bytes,
         choices: dict[str, Any]) -> HeldUpload:
    """Keep ``data`` for the user's import into ``entity``, replacing the one before."""
    folder = uploads_folder()
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    forget(entity)
    token = secrets.token_urlsafe(24)
    upload = HeldUpload(token, entity, user_id, filename, dict(choices))
    _path(token, DATA).write_bytes(data)
    _write_note(upload)
    session[SESSION_KEY] = {**session.get(SESSION_KEY, {}), entity: token}
    return upload


def held(entity: str, user_id: int) -> HeldUpload | None:
    """The user's upload in progress for ``entity``, if its files are still there."""
    token = session.get(SESSION_KEY, {}).get(entity)
    if not _is_token(token):
        return None
    try:
        note = json.loads(_path(token, NOTE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if note.get("user_id") != user_id or note.get("entity") != entity \
            or not _path(token, DATA).exists():
        return None
    return HeldUpload(token, entity, user_id, str(note["filename"]), dict(note["choices"]))


def remember(upload: HeldUpload, **choices: Any) -> HeldUpload:
    """The upload with ``choices`` added to its note."""
    updated = replace(upload, choices={**upload.choices, **choices})
    _write_note(updated)
    return updated


def forget(entity: str) -> None:
    """Remove the session's upload for ``entity`` (started, replaced or abandoned)."""
    tokens = dict(session.get(SESSION_KEY, {}))
    token = tokens.pop(entity, None)
    if _is_token(token):
        for suffix in (NOTE, DATA):
            _path(token, suffix).unlink(missing_ok=True)
    session[SESSION_KEY] = tokens


def _is_token(token: object) -> bool:
    """A token ``hold`` could have made (so a session never names another path)."""
    return isinstance(token, str) and token.replace("-", "").replace("_", "").isalnum()


def _write_note(upload: HeldUpload) -> None:
    note = {"entity": upload.entity, "user_id": upload.user_id, "filename": upload.filename,
            "choices": upload.choices}
    _path(upload.token, NOTE).write_text(json.dumps(note, ensure_ascii=False), encoding="utf-8")


def _path(token: str, suffix: str) -> Path:
    return uploads_folder() / f"{token}{suffix}"


def _sweep(folder: Path) -> None:
    """Remove uploads abandoned more than a day ago (by anyone)."""
    oldest = time.time() - MAX_AGE_SECONDS
    for path in folder.iterdir():
        try:
            if path.suffix in (NOTE, DATA) and path.stat().st_mtime < oldest:
                path.unlink(missing_ok=True)
        except OSError:  # another process removed it meanwhile
            continue
