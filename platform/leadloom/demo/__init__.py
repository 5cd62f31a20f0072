"""Deterministic demo data: the demo organisation and realistic Chinese B2B sales leads."""

from __future__ import annotations

from leadloom.demo.generator import DemoSummary as DemoSummary
from leadloom.demo.generator import generate_demo as generate_demo
from leadloom.demo.users import DEMO_USERS as DEMO_USERS
from leadloom.demo.users import DemoUser as DemoUser
