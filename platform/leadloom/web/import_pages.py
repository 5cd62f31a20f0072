"""The import wizard of an entity's list, as marketing loads an expo list: upload the file
with a preset and the duplicate choice, map its columns, preview the first rows as they will
go in, start the run and watch it, then the counts and the error file.

Routes of ``EntityView`` (``/<entity>/import`` …): reading, mapping, checking and running
are ``leadloom.imports``' (through the one write path); this module holds the upload
between the steps (``web.import_uploads``), reads the forms (``web.import_steps``) and
renders. Only users who may create the entity's records import them (403 otherwise), and a
run is its starter's (an admin's: every run); another's is a 404.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Response, abort, flash, jsonify, redirect, request, send_file
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access

from leadloom import imports
from leadloom.access import rights
from leadloom.imports.sheets import MAX_BYTES
from leadloom.metadata.field_types import FieldType, MoneyUnit
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Label
from leadloom.records import RecordError
from leadloom.web import import_steps, import_uploads
from leadloom.web.actor import current_actor, request_context
from leadloom.web.import_runs import run_page, run_state
from leadloom.web.labels import current_locale
from leadloom.web.language import translated
from leadloom.web.reports import jobs
from leadloom.web.state import state

#: the wizard's routes → the entity permission FAB checks first (the list's: who may not
#: create gets a 403 page saying so, not the login page)
IMPORT_PERMISSIONS = dict.fromkeys(
    ("import_upload", "import_map", "import_preview", "import_start", "import_run",
     "import_state", "import_errors"), "list")
#: rows shown in step 3
PREVIEW_ROWS = 20
UPLOAD_FIRST = Message("Upload the file to import first.")


class ImportPages:
    """The wizard's routes, for ``EntityView`` (which provides ``entity`` and
    ``render_template``)."""

    entity: Entity
    render_template: Any

    # ---- step 1: the file, the preset, what to do with duplicates ----------------------
    @expose("/import", methods=["GET", "POST"])
    @has_access
    def import_upload(self) -> Any:
        """Step 1: choose the file and how to read it; the file is held for the next steps."""
        self._may_import()
        actor = current_actor()
        presets, duplicates = self._presets(), self._duplicates()
        chosen, problems = import_steps.first_choices(request.form, presets, duplicates)
        if request.method == "POST" and not problems:
            upload = request.files.get("file")
            data = upload.read(MAX_BYTES + 1) if upload else b""
            name = (upload.filename or "") if upload else ""
            try:
                if not name or not data:
                    raise imports.ImportFileError(import_steps.NO_FILE)
                sheet = imports.read_sheet(data, name)
            except imports.ImportFileError as refused:
                problems = [refused.message]
            else:
                import_uploads.hold(self.entity.code, actor.user_id, name, data,
                                    {**chosen, "rows": sheet.row_count})
                return redirect(f"/{self.entity.code}/import/map")
        pending = import_uploads.held(self.entity.code, actor.user_id)
        return self._page("leadloom/import_upload.html", 1, problems, chosen=chosen,
                          presets=_shown(presets), duplicates=_shown(duplicates),
                          money_units=_shown(import_steps.MONEY_UNITS), pending=pending,
                          money=any(f.type is FieldType.MONEY for f in self._fields()))

    # ---- step 2: which column fills which field ------------------------------------------
    @expose("/import/map", methods=["GET", "POST"])
    @has_access
    def import_map(self) -> Any:
        """Step 2: each column of the file with a sample and the field it fills."""
        self._may_import()
        upload = self._upload()
        if upload is None:
            return self._start_over()
        sheet = imports.read_sheet(upload.data(), upload.filename)
        fields = self._fields()
        problems: list[Message] = []
        if request.method == "POST":
            mapping, problems = import_steps.posted_mapping(request.form, sheet.headers, fields)
            name = request.form.get("save_as", "").strip()
            if not problems and name:
                problems = self._save_mapping(name, mapping)
            if not problems:
                import_uploads.remember(upload, mapping=mapping)
                return redirect(f"/{self.entity.code}/import/preview")
        else:
            mapping = upload.choices.get("mapping") or self._suggested(upload, sheet.headers)
        columns = zip(sheet.headers, import_steps.samples(sheet.headers, sheet.rows),
                      strict=True)
        return self._page("leadloom/import_map.html", 2, problems, upload=upload,
                          columns=list(columns), fields=fields, mapping=mapping,
                          save_as=request.form.get("save_as", ""))

    # ---- step 3: the first rows as they will go in ---------------------------------------
    @expose("/import/preview")
    @has_access
    def import_preview(self) -> Any:
        """Step 3: the first rows' outcomes (nothing written) and the start button."""
        self._may_import()
        upload = self._upload()
        if upload is None or not upload.choices.get("mapping"):
            return self._start_over() if upload is None else redirect(
                f"/{self.entity.code}/import/map")
        sheet = imports.read_sheet(upload.data(), upload.filename)
        try:
            outcomes = imports.preview(request_context("import"), self.entity.code, sheet,
                                       upload.choices["mapping"], self._options(upload),
                                       limit=PREVIEW_ROWS)
        except imports.ImportRequestError as refused:  # the fields changed meanwhile
            flash(translated(refused.message), "danger")
            return redirect(f"/{self.entity.code}/import/map")
        fields = {f.code: f for f in self._fields()}
        shown = [(h, fields[c]) for h, c in upload.choices["mapping"].items() if c in fields]
        rows = [(o, [o.values.get(h, "") for h, _ in shown], [translated(r) for r in o.reasons])
                for o in outcomes]
        return self._page("leadloom/import_preview.html", 3, [], upload=upload, rows=rows,
                          tally=imports.counts(outcomes),
                          heads=[f.label.get(current_locale()) for _, f in shown],
                          total=sheet.row_count)

    @expose("/import/start", methods=["POST"])
    @has_access
    def import_start(self) -> Any:
        """Start the run as a job with the held file; the upload is then let go."""
        self._may_import()
        upload = self._upload()
        if upload is None or not upload.choices.get("mapping"):
            return self._start_over()
        try:
            run_id = imports.start_import(
                request_context("import"), self.entity.code, upload.filename, upload.data(),
                upload.choices["mapping"], self._options(upload), jobs())
        except (imports.ImportFileError, imports.ImportRequestError) as refused:
            flash(translated(refused.message), "danger")
            return redirect(f"/{self.entity.code}/import/map")
        import_uploads.forget(self.entity.code)
        return redirect(f"/{self.entity.code}/import/runs/{run_id}")

    # ---- the run: progress, then the result -----------------------------------------------
    @expose("/import/runs/<int:run_id>")
    @has_access
    def import_run(self, run_id: int) -> Any:
        """The run's progress bar (the page polls its state), then its counts."""
        run = self._run_or_404(run_id)
        return self._page("leadloom/import_run.html", 4, [], **run_page(self.entity, run))

    @expose("/import/runs/<int:run_id>/state")
    @has_access
    def import_state(self, run_id: int) -> Response:
        """What the progress bar shows, as JSON."""
        return jsonify(run_state(self._run_or_404(run_id)))

    @expose("/import/runs/<int:run_id>/errors")
    @has_access
    def import_errors(self, run_id: int) -> Any:
        """The rows that did not go in, with the reason, as an XLSX to fix and import again."""
        self._run_or_404(run_id)
        found = imports.error_file(request_context("import"), run_id, current_locale())
        if found is None:
            abort(404)
        filename, data = found
        return send_file(io.BytesIO(data), as_attachment=True, download_name=filename,
                         mimetype="application/vnd.openxmlformats-officedocument."
                                  "spreadsheetml.sheet")

    # ---- shared ----------------------------------------------------------------------------
    def _may_import(self) -> None:
        """403 with the reason unless the user may create this entity's records."""
        if not rights(state().registry, current_actor(), self.entity.code).allows("create"):
            page = self._page("leadloom/import_upload.html", 0, [Message(
                "Your roles may not create %(entity)s records, so you cannot import them.",
                entity=self.entity.label)], refused=True)
            abort(Response(page, status=403))

    def _page(self, template: str, step: int, problems: list[Message], **values: Any) -> Any:
        """A wizard page; problems make it a 400 (a form that could not be taken)."""
        locale = current_locale()
        page = self.render_template(template, entity=self.entity, step=step, locale=locale,
                                    entity_label=self.entity.label.get(locale),
                                    problems=[translated(p) for p in problems], **values)
        return (page, 400) if problems and step else page

    def _fields(self) -> list[Any]:
        actor = current_actor()
        return imports.importable_fields(state().registry, actor, self.entity.code, actor.unit)

    def _upload(self) -> import_uploads.HeldUpload | None:
        return import_uploads.held(self.entity.code, current_actor().user_id)

    def _start_over(self) -> Any:
        flash(translated(UPLOAD_FIRST), "warning")
        return redirect(f"/{self.entity.code}/import")

    def _presets(self) -> list[import_steps.Choice]:
        saved = imports.list_mappings(request_context("import"), self.entity.code)
        return [import_steps.Choice("", Message("Recognise the columns by their names")),
                *(import_steps.Choice(code, preset.label)
                  for code, preset in imports.PRESETS.items()),
                *(import_steps.Choice(f"{import_steps.SAVED}{m.id}", m.name) for m in saved)]

    def _duplicates(self) -> list[import_steps.Choice]:
        """The duplicate choices; updating only for users who may update the records."""
        may_update = rights(state().registry, current_actor(), self.entity.code).allows(
            "update")
        return [c for c in import_steps.DUPLICATES if c.value != "update" or may_update]

    def _suggested(self, upload: import_uploads.HeldUpload,
                   headers: list[str]) -> dict[str, str | None]:
        preset = upload.choices.get("preset", "")
        saved = None
        if preset.startswith(import_steps.SAVED):
            chosen = preset.removeprefix(import_steps.SAVED)
            saved = next((m.mapping for m in imports.list_mappings(
                request_context("import"), self.entity.code) if str(m.id) == chosen), None)
        suggested = imports.suggest_mapping(
            state().registry, self.entity.code, headers, saved=saved,
            preset=preset if preset in imports.PRESETS else None)
        allowed = {f.code for f in self._fields()}
        return {h: code if code in allowed else None for h, code in suggested.items()}

    def _save_mapping(self, name: str, mapping: dict[str, str | None]) -> list[Message]:
        try:
            imports.save_mapping(request_context("import"), self.entity.code, name, mapping)
        except (RecordError, imports.ImportRequestError) as refused:
            return [refused.message]
        return []

    def _options(self, upload: import_uploads.HeldUpload) -> imports.ImportOptions:
        unit = upload.choices.get("money_unit")
        return imports.ImportOptions(on_duplicate=upload.choices.get("on_duplicate", "skip"),
                                     money_unit=MoneyUnit(unit) if unit else None)

    def _run_or_404(self, run_id: int) -> Any:
        run = imports.import_run(request_context("import"), run_id)
        if run is None or run.entity != self.entity.code:
            abort(404)
        return run


def _shown(choices: Any) -> list[import_steps.Choice]:
    """``choices`` with their label and help as text in the user's language."""
    return [import_steps.Choice(c.value, _text(c.label), _text(c.help) if c.help else None)
            for c in choices]


def _text(text: Any) -> Any:
    return text.get(current_locale()) if isinstance(text, Label) else translated(text)
