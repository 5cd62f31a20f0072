"""CRUD screens per entity: Flask-AppBuilder's ModelView, writing only through ``records``.

FAB renders lists, search, filters, paging and forms; the overrides here make every read
go through the access scope (a base filter) and every write through the write path, and
hide per request the fields the user's roles may not see.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import sqlalchemy as sa
from flask import abort, flash, redirect, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.forms import GeneralModelConverter
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args

from leadloom import records
from leadloom.access import on_record, rights, scope
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import OPERATIONS, Entity
from leadloom.model.indexes import has_own_index, sort_codes
from leadloom.records import RecordError, RecordInvalid
from leadloom.records.saved_views import delete_view, save_view
from leadloom.web import layout, list_bar, list_bulk, list_page
from leadloom.web.actor import current_actor, request_context
from leadloom.web.exports import export_response
from leadloom.web.fields import add_defaults, form_class, form_data, submitted_values
from leadloom.web.import_pages import IMPORT_PERMISSIONS, ImportPages
from leadloom.web.labels import current_locale, field_title, lazy, lazy_titled
from leadloom.web.language import translated
from leadloom.web.leads import filtering_status, hidden_statuses
from leadloom.web.list_count import CountingInterface, is_estimated, rounded
from leadloom.web.list_views import chosen_view, list_filters_clause, prepare_list_filters
from leadloom.web.record_page import PAGE_PERMISSIONS, RecordPage, form_version
from leadloom.web.state import state

#: FAB method → leadloom operation; views and APIs of an entity share these permissions.
VIEW_PERMISSIONS = {
    "list": "list", "show": "read", "add": "create", "edit": "update", "delete": "delete",
    "download": "read", "action": "update", "action_post": "update", **PAGE_PERMISSIONS,
    "bulk": "update", "save_view": "list", "delete_view": "list", "export": "export",
    **IMPORT_PERMISSIONS,
}
#: form titles: 新建线索, 编辑线索
NEW_RECORD = Message("New %(entity)s")
EDIT_RECORD = Message("Edit %(entity)s")
#: ``menu_access`` too: the menu item shares the entity's name, so FAB never churns it.
BASE_PERMISSIONS = [*(f"can_{op}" for op in OPERATIONS), "menu_access"]


class ScopeFilter(BaseFilter):
    """A base filter that applies ``access.scope`` for the current user."""

    name = "scope"
    arg_name = "scope"

    def apply(self, query: Any, value: Any) -> Any:
        entity = self.datamodel.obj.__leadloom_entity__
        actor = current_actor()
        hidden = hidden_statuses(state().registry, entity, actor, filtering_status())
        if hidden:  # invalid leads leave the active lists (lead rules)
            status = self.datamodel.obj.status
            query = query.filter(sa.or_(status.is_(None), status.not_in(hidden)))
        extra = list_filters_clause()
        if extra is not None:
            query = query.filter(extra)
        return scope(query, state().models, actor, entity)


class EntityView(RecordPage, ImportPages, ModelView):
    """Base class; ``build_view`` fills in ``entity`` and the column lists."""

    entity: Entity
    method_permission_name = VIEW_PERMISSIONS
    base_permissions = BASE_PERMISSIONS
    list_template = "leadloom/list.html"
    add_template = "leadloom/add.html"
    edit_template = "leadloom/edit.html"

    # ---- what the current user may see -------------------------------------------------
    def _hidden(self) -> frozenset[str]:
        return rights(state().registry, current_actor(), self.entity.code).hidden

    def _view(self, unit: str | None) -> Entity:
        return state().registry.view(self.entity.code, unit)

    def _list_rows(self, filters: Any, order_column: str, order_direction: str,
                   page: Any, page_size: int) -> tuple[int, list[Any], list[str], tuple[str, str]]:
        """(count, rows, columns, order) of one page, in scope, filtered as the address and
        the chosen shared view say; hidden fields neither filter, sort nor show."""
        joined, order, columns = self._list_query(filters, order_column, order_direction)
        count, rows = self.datamodel.query(joined, *order, page=page, page_size=page_size)
        return count, rows, columns, order

    def _list_query(self, filters: Any, order_column: str, order_direction: str
                    ) -> tuple[Any, tuple[str, str], list[str]]:
        """(filters with the scope's base filter, order, columns) of the list this address
        asks for: what its pages and its export read."""
        view = self._view(current_actor().unit)
        hidden = self._hidden()
        prepare_list_filters(self.entity)
        chosen = chosen_view(self.entity)
        for i in reversed(range(len(filters.filters))):
            if filters.filters[i].column_name in hidden:
                del filters.filters[i]
                del filters.values[i]
        if order_column in hidden or order_column not in self.order_columns:
            if order_column:  # an old link, or a column config no longer sorts by
                shown = view.field(order_column).label.get(current_locale()) if (
                    view.has_field(order_column) and order_column not in hidden) else order_column
                flash(translated(Message("the list cannot be sorted by \"%(column)s\"",
                                         column=shown)), "warning")
            order_column, order_direction = "", ""
        if not order_column and chosen is not None and chosen.sort:
            order_column = chosen.sort.lstrip("-")
            order_direction = "desc" if chosen.sort.startswith("-") else "asc"
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        joined = filters.get_joined_filters(self._base_filters)
        columns = layout.columns_in(view, self.list_columns, hidden)
        return joined, (order_column, order_direction), columns

    def _get_list_widget(self, filters: Any, actions: Any = None, order_column: str = "",
                         order_direction: str = "", page: Any = None, page_size: Any = None,
                         widgets: Any = None, **kwargs: Any) -> Any:
        """FAB's list widget, for the lists FAB still draws (related records)."""
        view = self._view(current_actor().unit)
        size = page_size or self.page_size
        count, rows, columns, _ = self._list_rows(filters, order_column, order_direction,
                                                  page, size)
        widgets = widgets or {}
        widgets["list"] = self.list_widget(
            label_columns=layout.labels(view), include_columns=columns,
            value_columns=self.datamodel.get_values(rows, columns),
            order_columns=[c for c in self.order_columns if c not in self._hidden()],
            formatters_columns=layout.formatters(view), page=page,
            page_size=size, count=count,
            pks=self.datamodel.get_keys(rows), actions=actions or self.actions,
            filters=filters, modelview_name=self.__class__.__name__, **kwargs)
        return widgets

    # ---- the list page -----------------------------------------------------------------
    @expose("/list/")
    @has_access
    def list(self) -> Any:
        """The list to work in: filter bar, quick and saved views, sortable columns,
        paging with the total, bulk actions; cards on a phone."""
        self.update_redirect()
        name = self.__class__.__name__
        args = request.args
        order = self._asked_order()
        page = max(args.get(f"page_{name}", 0, type=int), 0)
        size = list_page.page_size(args.get(f"psize_{name}", type=int), self.page_size)
        get_filter_args(self._filters)
        count, items, columns, order = self._list_rows(self._filters, *order, page, size)
        view = self._view(current_actor().unit)
        hidden = self._hidden()
        labels = layout.labels(view)
        granted = rights(state().registry, current_actor(), self.entity.code)
        return self.render_template(
            self.list_template, title=self.list_title, entity=self.entity, view_name=name,
            count=count, estimated=is_estimated(count), rounded=rounded,
            page=page, size=size, sizes=list_page.SIZES,
            pages=max(-(-count // size), 1), address=list_page.address,
            heads=list_page.heads(name, columns, labels, self.order_columns, order),
            rows=list_page.rows(view, items, self.datamodel.get_values(items, columns),
                                columns, layout.formatters(view), hidden, order[0]),
            title_field=view.title_field, controls=list_bar.controls(self.entity, view),
            shared=list_page.shared_chips(self.entity),
            saved=list_page.saved_chips(self.entity, name),
            kept=list_page.kept_query(name), chosen=args.get("view", ""),
            bulk=list_bulk.choices(self.entity, view),
            may_add=granted.allows("create"), may_export=granted.allows("export"))

    def _asked_order(self) -> tuple[str, str]:
        """The sort this address asks for (FAB's ``_oc_``/``_od_`` arguments)."""
        name = self.__class__.__name__
        order = (request.args.get(f"_oc_{name}", ""), request.args.get(f"_od_{name}", ""))
        return order if order[1] in ("asc", "desc") else ("", "")

    @expose("/list/export")
    @has_access
    def export(self) -> Any:
        """This list (its filters, sort and columns) as an XLSX or CSV file (audited)."""
        get_filter_args(self._filters)
        joined, order, columns = self._list_query(self._filters, *self._asked_order())
        model = self.datamodel
        query = model.apply_all(model.session.query(model.obj), joined, *order)
        asked = {k: v for k, v in request.args.items() if k != "format"}
        try:
            return export_response(self.entity, query.statement, columns,
                                   request.args.get("format", "xlsx"), asked, "ui")
        except RecordError as error:
            flash(translated(error.message), "danger")
            back = urlencode(list(asked.items()))
            return redirect(f"/{self.entity.code}/list/" + (f"?{back}" if back else ""))

    @expose("/list/bulk", methods=["POST"])
    @has_access
    def bulk(self) -> Any:
        """Apply one action to the picked records, each through the write path."""
        category, message = list_bulk.run(self.entity, request.form)
        flash(message, category)
        return redirect(_local_next(request.form.get("next", "")) or f"/{self.entity.code}/list/")

    @expose("/list/views", methods=["POST"])
    @has_access
    def save_view(self) -> Any:
        """Save this list's filters and sort under a name of mine."""
        query = urlencode(parse_qsl(request.form.get("query", "")))
        try:
            saved = save_view(request_context("ui"), self.entity.code,
                              request.form.get("name", ""), query)
        except RecordError as error:
            reasons = [m for ms in error.errors.values() for m in ms] or [error.message]
            flash("; ".join(map(translated, reasons)), "danger")
            return redirect(f"/{self.entity.code}/list/?{query}")
        flash(translated(Message("View \"%(name)s\" saved", name=saved.name)), "success")
        return redirect(f"/{self.entity.code}/list/?{saved.query}")

    @expose("/list/views/<int:view_id>/delete", methods=["POST"])
    @has_access
    def delete_view(self, view_id: int) -> Any:
        """Delete one of my saved views."""
        try:
            delete_view(request_context("ui"), view_id)
            flash(translated(Message("View deleted")), "success")
        except RecordError as error:
            flash(translated(error.message), "danger")
        return redirect(f"/{self.entity.code}/list/")

    # ---- reads and writes through records (the record's page: ``RecordPage``) ---------
    def _add(self) -> Any:
        return self._form_page(None)

    def _edit(self, pk: Any) -> Any:
        return self._form_page(pk)

    def _delete(self, pk: Any) -> None:
        try:
            records.delete(request_context("ui"), self.entity.code, int(pk))
            flash(self.delete_row_message, "success")
        except RecordError as error:
            if error.status == 404:
                abort(404)
            flash(translated(error.message), "danger")
        self.update_redirect()

    def _record_or_404(self, pk: Any) -> Any:
        try:
            return records.get(request_context("ui"), self.entity.code, int(pk))
        except (RecordError, ValueError):
            abort(404)

    def _form_page(self, pk: Any) -> Any:
        """Add (``pk`` None) or edit: render the form, or save it and return None."""
        ctx = request_context("ui")
        record = self._record_or_404(pk) if pk is not None else None
        view = self._view(record.unit if record is not None else ctx.actor.unit)
        creator, owner = ((ctx.actor.user_id, None) if record is None
                          else (record.created_by_id, getattr(record, "owner_id", None)))
        granted = on_record(rights(ctx.registry, ctx.actor, self.entity.code), ctx.actor,
                            creator, owner)
        skip = granted.readonly | granted.hidden
        initial = add_defaults(view, ctx, request.args) if record is None else None
        form_cls = form_class(view, ctx, record, lazy(layout.SYSTEM_LABELS["owner"]), initial,
                              readonly=skip - granted.hidden)
        if request.method == "POST":
            form = form_cls(request.form)
            if form.validate() and self._save(ctx, view, form, pk, skip):
                return None
        else:
            form = form_cls(data=form_data(view, record, ctx) if record else initial)
        left_out = granted.hidden | _blank(granted.readonly, initial)
        sets = layout.form_fieldsets(view, left_out, saved=record is not None)
        widget = self.add_widget if pk is None else self.edit_widget
        return {"add" if pk is None else "edit": widget(
            form=form, include_cols=[c for _, spec in sets for c in spec["fields"]],
            exclude_cols=sorted(left_out), fieldsets=sets)}

    def _save(self, ctx: records.Context, view: Entity, form: Any, pk: Any,
              skip: frozenset[str]) -> bool:
        values = submitted_values(view, form, skip)
        try:
            if pk is None:
                records.create(ctx, self.entity.code, values)
                flash(self.add_row_message, "success")
            else:
                records.update(ctx, self.entity.code, int(pk), values,
                               expected_version=form_version(form.version.data))
                flash(self.edit_row_message, "success")
            for notice in ctx.meta.get("notices", ()):  # e.g. an approval it asked for
                flash(translated(notice), "info")
            return True
        except RecordInvalid as error:
            for name, messages in error.errors.items():
                target = form._fields.get(name)
                if target is not None:
                    target.errors = [*list(target.errors), *map(translated, messages)]
                else:
                    flash(f"{field_title(view, name)}: {'; '.join(map(translated, messages))}",
                          "danger")
        except RecordError as error:
            flash(translated(error.message), "danger")
        return False

    def post_add_redirect(self) -> Any:
        """Back to where the form was opened from (``next``), e.g. the lead's page."""
        return redirect(_local_next() or self.get_redirect())

    def post_edit_redirect(self) -> Any:
        return redirect(_local_next() or self.get_redirect())

    def _init_forms(self) -> None:
        """Forms are built per request (choices depend on the user); skip FAB's own."""
        self.search_form = GeneralModelConverter(self.datamodel).create_form(
            self.label_columns, self.search_columns, filter_rel_fields=None)
        self.add_form = self.edit_form = self.search_form


def _blank(readonly: frozenset[str], initial: dict[str, Any] | None) -> frozenset[str]:
    """An add form's read-only fields with nothing to show yet (``initial`` None: editing)."""
    if initial is None:
        return frozenset()
    return frozenset(c for c in readonly if initial.get(c) in (None, "", []))


def _local_next(target: str | None = None) -> str | None:
    """``target`` (by default the ``next`` parameter) if it is a path on this site (never
    another host)."""
    target = request.args.get("next", "") if target is None else target
    parts = urlsplit(target)
    if (not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc
            or any(c in target for c in "\r\n\\")):
        return None
    return target


def sortable_columns(entity: Entity, listed: list[str]) -> list[str]:
    """The list's columns a reader sorts by: those with an index behind them (flagged
    ``sort``, a shared view's sort, or a field indexed for filtering or uniqueness;
    ``model.indexes``), so a click on a head never makes the database sort the whole
    table; REST sorts by the same filterable fields."""
    indexed = set(sort_codes(entity)) | {
        f.code for f in entity.fields if f.unique or has_own_index(f)}
    return [c for c in listed if c in indexed and entity.field(c).type not in (
        FieldType.REFERENCE, FieldType.USER, FieldType.TAGS, FieldType.MULTI_ENUM)]


def build_view(entity: Entity, model: type[Any]) -> type[EntityView]:
    """A ModelView class for ``entity`` (all units' fields); screens narrow it per request."""
    columns = [f.code for f in entity.fields]
    owner = layout.owner_column(entity)
    common = [f for f in entity.fields if f.units is None]
    listed = [c for c in layout.list_columns(entity) if c not in owner]
    searchable = [f.code for f in common if (f.search or f.filter)
                  and f.type not in (FieldType.MULTI_ENUM, FieldType.TAGS)]
    labels = {f.code: lazy(f.label) for f in entity.fields}
    labels.update({code: lazy(label) for code, label in layout.SYSTEM_LABELS.items()})
    return type(f"{entity.code.title()}View", (EntityView,), {
        "entity": entity,
        "datamodel": CountingInterface(model),
        "route_base": f"/{entity.code}",
        "class_permission_name": entity.code,
        "list_title": lazy(entity.label), "show_title": lazy(entity.label),
        "add_title": lazy_titled(NEW_RECORD.msgid, entity.label),
        "edit_title": lazy_titled(EDIT_RECORD.msgid, entity.label),
        "list_columns": layout.list_columns(entity),
        "show_columns": columns + owner + list(layout.STAMPS),
        "add_columns": columns + owner, "edit_columns": columns + owner,
        "search_columns": searchable,
        "order_columns": sortable_columns(entity, listed),
        "label_columns": labels,
        "base_order": ("id", "desc"),
        "base_filters": [["id", ScopeFilter, lambda: None]],
    })
