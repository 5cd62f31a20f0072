"""Chinese phone numbers in one canonical form (kept in ``rules.phones``, the bottom layer,
so expressions can ask ``is_phone(contact_phone)`` too)."""

from __future__ import annotations

from leadloom.rules.phones import normalize_phone as normalize_phone
