"""Schemathesis against ``/api/v1/_openapi``, as an admin and as a rep: every operation,
positive and negative data, every check, a few derandomized examples each.

The document is per caller (what they may read and write), so each role is tested against
what it is told. (schemathesis' lazy pytest fixtures do not run on pytest 9, hence the
loop over operations with Hypothesis here.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from tests.conftest import PASSWORD, org_app

EXAMPLES = 6
CONFIG = {
    "checks": {
        # the document cannot say which referenced records exist in the caller's scope,
        # which values are taken, or what a funnel guard needs: those answer 422 with
        # field errors, and 422 is no server error nor a schema violation
        "positive_data_acceptance": {"expected-statuses": [
            "2xx", "401", "403", "404", "409", "422"]},
    },
}


def failures(app, user: str) -> list[str]:
    """Every operation's failed checks (empty: the API keeps its document)."""
    client = app.test_client()
    token = client.post("/api/v1/security/login", json={
        "username": user, "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/_openapi", app, config=schemathesis.Config.from_dict(CONFIG), headers=headers)
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(("/api/v1/security/", "/intake/")):
            continue  # logins and the public intake: rate limits are tested elsewhere
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            try:
                _run(operation, mode, headers)
            except Unsatisfiable:
                continue  # nothing in this operation can be made invalid
            except (Exception, BaseExceptionGroup) as error:  # one report per operation, mode
                found.append(f"{operation.label} ({mode.value}): {error}"[:1500])
    return found


def _run(operation, mode, headers) -> None:
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate(headers=headers)

    check()


@pytest.fixture(scope="module")
def fuzzed(database_factory):
    """An app of its own: the run creates hundreds of records no other test should see."""
    yield from org_app(database_factory())


@pytest.mark.slow
@pytest.mark.parametrize("user", ["admin", "rep1"])
def test_the_api_keeps_its_document(fuzzed, user):
    found = failures(fuzzed, user)
    assert not found, f"{len(found)} failures:\n\n" + "\n\n".join(found)
