"""Config versions: publish, roll back, and the active version every process runs."""

from __future__ import annotations

from leadloom.lifecycle.errors import LifecycleError as LifecycleError
from leadloom.lifecycle.errors import NothingToPublish as NothingToPublish
from leadloom.lifecycle.errors import PublishRefused as PublishRefused
from leadloom.lifecycle.errors import UnknownVersion as UnknownVersion
from leadloom.lifecycle.publish import Published as Published
from leadloom.lifecycle.publish import active_registry as active_registry
from leadloom.lifecycle.publish import plan_problems as plan_problems
from leadloom.lifecycle.publish import publish as publish
from leadloom.lifecycle.publish import rollback as rollback
from leadloom.lifecycle.store import Draft as Draft
from leadloom.lifecycle.store import Version as Version
from leadloom.lifecycle.store import discard_draft as discard_draft
from leadloom.lifecycle.store import get_draft as get_draft
from leadloom.lifecycle.store import get_version as get_version
from leadloom.lifecycle.store import history as history
from leadloom.lifecycle.store import latest_number as latest_number
from leadloom.lifecycle.store import save_draft as save_draft
