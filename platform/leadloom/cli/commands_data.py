"""Commands that write data and serve no page: ``demo-data`` and ``user``.

They build ``web.data_app`` (no screen, API or FAB view: a second less on a fresh
database) and import none of the web app's screens.
"""

from __future__ import annotations

import click

from leadloom.cli.building import built
from leadloom.cli.options import settings_from
from leadloom.demo import generate_demo
from leadloom.demo.as_of import check_as_of
from leadloom.demo.calibration import calibration
from leadloom.demo.manifest import manifest, write_manifest
from leadloom.demo.workdays import AS_OF, parse_as_of
from leadloom.records import RecordError, membership
from leadloom.web.data_app import create_data_app
from leadloom.web.state import state
from leadloom.web.users import add_user


@click.command(name="demo-data")
@click.option("--leads", default=1000, show_default=True, type=click.IntRange(min=0))
@click.option("--seed", default=42, show_default=True, type=int)
@click.option("--password", default="demo1234", show_default=True,
              help="Password of every demo user.")
@click.option("--as-of", "as_of", default=None,
              help="The end of the simulated period (Shanghai time, YYYY-MM-DD[THH:MM]; "
                   f"default {AS_OF:%Y-%m-%d}). With --check on existing data: the as-of "
                   "they were made with (else read from --manifest, or estimated).")
@click.option("--manifest", "manifest_path", type=click.Path(dir_okay=False),
              help="Write row counts and checksums of every demo table to this file.")
@click.option("--check", is_flag=True,
              help="Print each calibration target, the measured value and ok/off.")
@click.pass_context
def demo_data(ctx: click.Context, leads: int, seed: int, password: str, as_of: str | None,
              manifest_path: str | None, check: bool) -> None:
    """Create the demo organisation and N realistic leads (same seed and as-of, same data)."""
    try:
        given = parse_as_of(as_of) if as_of else None
    except ValueError as exc:
        raise click.BadParameter(f"not a date: {as_of!r} (use YYYY-MM-DD)",
                                 param_hint="--as-of") from exc
    settings = settings_from(ctx)
    app = built(create_data_app, settings, demo=not settings.secret_key)
    with app.app_context():
        summary = generate_demo(app, leads=leads, seed=seed, password=password,
                                as_of=given or AS_OF)
        click.echo(summary)
        session, models = state().db.session, state().models
        end = check_as_of(given, not summary.existing, manifest_path, session, models)
        if manifest_path:
            write_manifest(manifest_path, {"seed": seed, "as_of": end.moment.isoformat()},
                           manifest(session, models))
        if check:
            click.echo(str(end))
            results = calibration(session, models, end.moment)
            for result in results:
                click.echo(str(result))
            if not all(r.ok for r in results):
                ctx.exit(1)




@click.command(name="user")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="Role code; repeatable.")
@click.option("--team", default=None, help="Team code (its unit follows).")
@click.option("--unit", default=None, help="Business unit, for users without a team.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default=None, help="Display name, e.g. 张伟.")
@click.option("--email", default=None)
@click.pass_context
def user(ctx: click.Context, username: str, roles: tuple[str, ...], team: str | None,
         unit: str | None, password: str, name: str | None, email: str | None) -> None:
    """Create a user (or update their roles, team and unit)."""
    settings = settings_from(ctx)
    app = built(create_data_app, settings, demo=not settings.secret_key)
    with app.app_context():
        st = state()
        existed = st.appbuilder.sm.find_user(username=username) is not None
        try:
            account = add_user(username, roles=roles, password=password, team=team, unit=unit,
                               name=name, email=email)
        except RecordError as error:
            for field, messages in error.errors.items():
                click.echo(f"{field}: {'; '.join(messages)}", err=True)
            raise click.ClickException(error.message) from error
        # read while the session is open: the account is detached once the context ends
        place = membership(st.db.session, st.models, account.id)
        click.echo(f"user {account.username} (#{account.id}) "
                   f"{'updated' if existed else 'created'}: roles {', '.join(roles)}; "
                   f"team {place.team or '-'}; unit {place.unit or '-'}")


COMMANDS = [demo_data, user]
