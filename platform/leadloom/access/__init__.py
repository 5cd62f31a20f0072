"""Roles, row scopes and field permissions: who may do what with which records."""

from __future__ import annotations

from leadloom.access.actor import Actor as Actor
from leadloom.access.grants import Rights as Rights
from leadloom.access.grants import on_record as on_record
from leadloom.access.grants import rights as rights
from leadloom.access.passwords import password_problems as password_problems
from leadloom.access.pools import in_pool as in_pool
from leadloom.access.pools import pool_clause as pool_clause
from leadloom.access.scopes import in_scope as in_scope
from leadloom.access.scopes import scope as scope
from leadloom.access.scopes import scope_clause as scope_clause
