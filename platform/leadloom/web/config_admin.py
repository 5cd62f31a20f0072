"""Admin screens for the config: versions with their diffs, a YAML editor that shows each
problem on its line, the schema plan, publish and roll back.

Edits live in a per-admin draft in the database (the whole config), so several web
processes agree on it; publishing a draft is the same ``lifecycle.publish`` as the CLI's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from leadloom import lifecycle
from leadloom.lifecycle.publish import FIRST_VERSION, SYSTEM_AUTHOR
from leadloom.metadata import ConfigError, ConfigInvalid, load_registry
from leadloom.metadata.files import ConfigFiles
from leadloom.metadata.messages import Message
from leadloom.model import SchemaError
from leadloom.records.leads.recompute import run_of
from leadloom.web.actor import current_actor
from leadloom.web.language import translated
from leadloom.web.people_names import THE_SYSTEM
from leadloom.web.reports import jobs
from leadloom.web.state import state

NEW_FILE = "entities/new_entity.yaml"
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    text: str
    problems: tuple[str, ...]


def version_message(version: Any) -> str:
    """A version's message; the one the platform writes itself reads in the user's language
    (older databases hold it with the config folder's path after it)."""
    text = version.message or ""
    mine = text == FIRST_VERSION or text.startswith(f"{FIRST_VERSION}, from ")
    return translated(FIRST_VERSION) if mine else text


def version_author(version: Any) -> str:
    """Who published a version: a user's login, or the platform itself."""
    return translated(THE_SYSTEM) if version.author == SYSTEM_AUTHOR else version.author


VERSION_WORDS = {"version_message": version_message, "version_author": version_author}


def annotate(text: str, errors: list[ConfigError], name: str) -> list[Line]:
    """The file's lines, each with the problems reported on it (a problem past the end, or
    with no line, on the last or the first line)."""
    mine = [e for e in errors if e.file.as_posix() == name]
    lines = text.splitlines() or [""]
    at = {id(e): min(e.line or 1, len(lines)) for e in mine}
    return [Line(i, line, tuple(f"{e.path}: {e.message}" if e.path else e.message
                                for e in mine if at[id(e)] == i))
            for i, line in enumerate(lines, start=1)]


class ConfigAdmin(BaseView):
    """Versions, the draft editor, plan preview, publish and rollback (admins only)."""

    route_base = "/config"
    default_view = "versions"

    # ---- versions -----------------------------------------------------------------------
    @expose("/versions/")
    @has_access
    def versions(self) -> Any:
        with state().db.engine.connect() as conn:
            found = lifecycle.history(conn)
        return self.render_template("leadloom/config_versions.html", versions=found,
                                    **VERSION_WORDS)

    @expose("/versions/<int:number>")
    @has_access
    def version(self, number: int) -> Any:
        with state().db.engine.connect() as conn:
            found = lifecycle.get_version(conn, number)
            active = lifecycle.latest_number(conn)
        if found is None:
            return self.render_template("leadloom/config_versions.html", versions=[],
                                        **VERSION_WORDS), 404
        st = state()
        run = run_of(st.db.session, st.models, number)
        queued = run is None and number == active and st.registry.lead_rules is not None
        return self.render_template("leadloom/config_version.html", version=found, **VERSION_WORDS,
                                    active=active, run=run, queued=queued)

    @expose("/versions/<int:number>/rollback", methods=["POST"])
    @has_access
    def rollback(self, number: int) -> Any:
        try:
            done = lifecycle.rollback(state().db.engine, number, author=_author())
            flash(translated(Message("published version %(version)s (the content of version "
                                     "%(number)s)", version=done.version, number=number)),
                  "success")
        except (lifecycle.LifecycleError, SchemaError, ConfigInvalid) as error:
            flash(str(error), "danger")
            return redirect(url_for("ConfigAdmin.versions"))
        _recompute(done.version)
        return redirect(url_for("ConfigAdmin.version", number=done.version))

    # ---- the draft ------------------------------------------------------------------------
    @expose("/edit/", methods=["GET", "POST"])
    @has_access
    def edit(self) -> Any:
        draft = self._draft()
        name = request.values.get("file") or "entities/lead.yaml"
        if request.method == "POST":
            text = request.form.get("text", "").replace("\r\n", "\n")
            name = request.form.get("file") or name
            draft = lifecycle.Draft(draft.base_version, draft.files.with_text(name, text))
            with state().db.engine.begin() as conn:
                lifecycle.save_draft(conn, current_actor().user_id, draft)
        errors = _problems(draft.files)
        action = request.form.get("action", "")
        plan = self._preview(draft) if action == "preview" and not errors else None
        if action == "publish" and not errors:
            return self._publish(draft)
        text = draft.files.get(name) or ""
        return self.render_template(
            "leadloom/config_edit.html", name=name, text=text, files=sorted(draft.files.texts),
            lines=annotate(text, errors, name), errors=errors, plan=plan, draft=draft,
            new_file=NEW_FILE)

    @expose("/edit/discard", methods=["POST"])
    @has_access
    def discard(self) -> Any:
        with state().db.engine.begin() as conn:
            lifecycle.discard_draft(conn, current_actor().user_id)
        flash(translated(Message("draft discarded")), "info")
        return redirect(url_for("ConfigAdmin.edit"))

    def _draft(self) -> lifecycle.Draft:
        """The admin's draft, or a fresh copy of the active version."""
        with state().db.engine.connect() as conn:
            draft = lifecycle.get_draft(conn, current_actor().user_id)
            if draft is None:
                active = lifecycle.get_version(conn)
                draft = lifecycle.Draft(active.number if active else None,
                                        active.files if active else ConfigFiles({}))
        return draft

    def _preview(self, draft: lifecycle.Draft) -> list[str]:
        try:
            done = lifecycle.publish(state().db.engine, draft.files, author=_author(),
                                     message="preview", dry_run=True)
        except lifecycle.NothingToPublish as same:
            return [f"nothing to publish: {same}"]
        except SchemaError as refused:
            return str(refused).splitlines()
        return done.lines()

    def _publish(self, draft: lifecycle.Draft) -> Any:
        message = request.form.get("message") or "published from the admin screen"
        try:
            done = lifecycle.publish(state().db.engine, draft.files, author=_author(),
                                     message=message)
        except (lifecycle.LifecycleError, SchemaError, ConfigInvalid) as error:
            flash(str(error), "danger")
            return redirect(url_for("ConfigAdmin.edit"))
        with state().db.engine.begin() as conn:
            lifecycle.discard_draft(conn, current_actor().user_id)
        flash(translated(Message("published version %(version)s; every process switches "
                                 "within seconds", version=done.version)), "success")
        _recompute(done.version)
        return redirect(url_for("ConfigAdmin.version", number=done.version))


def _problems(files: ConfigFiles) -> list[ConfigError]:
    """Every problem of the draft, each at its line: the config's own, then what publishing
    would refuse against the stored data. The editor must stay usable whatever the draft
    holds, so an unexpected failure of the checks is shown as a problem, not a 500."""
    try:
        load_registry(files)
        return lifecycle.plan_problems(state().db.engine, files)
    except ConfigInvalid as invalid:
        return invalid.errors
    except Exception as exc:  # a bug in a check must not lock the admin out of the editor
        log.exception("checking a config draft failed")
        return [ConfigError(Path("config"), None, "",
                            f"the check itself failed ({type(exc).__name__}): see the server log")]


def _recompute(version: int | None) -> None:
    """Queue the recompute of the open leads for the version just published; the page
    shows its progress. Without a queue the scheduled lead jobs start it instead."""
    if version is None:
        return
    try:
        jobs().enqueue_recompute(version)
    except Exception:  # Redis down: the next scheduled lead job does it; the publish stands
        log.exception("queueing the recompute of version %s failed", version)
        flash(translated(Message("the open leads will be recomputed by the next scheduled "
                                 "lead job")), "warning")


def _author() -> str:
    return current_actor().username
