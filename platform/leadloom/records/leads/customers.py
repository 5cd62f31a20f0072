"""Existing customers: a new lead whose contact's phone or e-mail, or whose company name,
is an existing account's (``assignment.existing_customer`` in leads.yaml) is that
account's upsell. The accounts are looked up once per key kind for a whole batch.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from leadloom.records.leads.state import LeadWrite

#: key → (the lead's field, how to read the account's value for it)
LEAD_FIELDS = {"phone": "contact_phone", "email": "contact_email", "company": "customer_name"}


def find_accounts(writes: list[LeadWrite], keys: tuple[str, ...]) -> None:
    """Set ``account`` (id, owner) on each new lead of ``writes`` an account matches; the
    first key in ``keys`` order that matches wins, then the oldest account."""
    new = [w for w in writes if w.creating and not w.history]
    if not new or not keys:
        return
    ctx = new[0].ctx
    for key in keys:
        wanted = {_value(key, w.values.get(LEAD_FIELDS[key])) for w in new if w.account is None}
        wanted.discard(None)
        if not wanted:
            continue
        found = _accounts(ctx, key, wanted)
        for w in new:
            if w.account is None:
                w.account = found.get(_value(key, w.values.get(LEAD_FIELDS[key])))


def _value(key: str, value: Any) -> str | None:
    if not value:
        return None
    text = str(value).strip()
    return text.lower() if key == "email" else text


def _accounts(ctx: Any, key: str, wanted: set[str]) -> dict[str, tuple[int, int | None]]:
    """match value → (account id, owner id), the oldest account per value."""
    account = ctx.models.cls("account").__table__
    if key == "company":
        column: Any = account.c.name
        query = sa.select(column, account.c.id, account.c.owner_id)
    else:
        contact = ctx.models.cls("contact").__table__
        column = contact.c.mobile if key == "phone" else sa.func.lower(contact.c.email)
        query = sa.select(column, account.c.id, account.c.owner_id).join(
            account, account.c.id == contact.c.account_id)
    rows = ctx.session.execute(query.where(column.in_(sorted(wanted)))
                               .order_by(account.c.id.desc()))
    return {row[0]: (row[1], row[2]) for row in rows}
