"""Benchmark the PDF reports.

1. Render time: for each shipped report, leadloom's data sections + template + PDF, versus
   WeasyPrint alone rendering the very same final HTML (same run). The ratio is what the
   data and templating cost on top of the PDF engine.
2. Throughput: N report jobs on a real Redis, drained by one ``leadloom worker --burst``,
   then by two at once; reports per minute and the speed-up.

Run from the repository root (Redis needed for part 2; default redis://127.0.0.1:6379/14,
which must be empty and is flushed afterwards)::

    PYTHONPATH=platform python bench/reports.py --leads 5000 --jobs 24
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from redis import Redis
from rq import Queue
from sqlalchemy.orm import sessionmaker

from leadloom.demo import generate_demo
from leadloom.jobs import runtime_for
from leadloom.jobs.tasks import enqueue_render
from leadloom.reporting import ReportRequest, render
from leadloom.reporting.audience import recipient_named
from leadloom.reporting.service import _context, _sections, _template_context, spec_of
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.state import state

CONFIG = Path(__file__).resolve().parents[1] / "config"
CASES = (("weekly_funnel", "sup1", "2025-W50"), ("monthly_review", "admin", "2025-11"),
         ("stale_leads", "sup1", "2025-12-31"), ("finance_monthly", "fin1", "2025-11"))


def setup(folder: Path, leads: int):  # type: ignore[no-untyped-def]
    settings = Settings(config_dir=CONFIG, database_url=f"sqlite:///{folder / 'bench.db'}",
                        secret_key="x" * 48, reports_dir=folder / "reports")
    app = create_app(settings, testing=True)
    with app.app_context():
        generate_demo(app, leads=leads, seed=42, password="bench-password")
        st = state()
        runtime = runtime_for(settings, st.models,
                              sessions=sessionmaker(st.db.engine, expire_on_commit=False))
    return settings, runtime


def render_times(runtime, report: str, user: str, period: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Seconds for data, template and PDF of one copy, and WeasyPrint on the final HTML."""
    env = runtime.env
    spec = spec_of(env.registry, report)
    with env.sessions() as session:
        recipient = recipient_named(session, env.models, user)
        request = ReportRequest(report, recipient.user_id, period=period)
        started = time.perf_counter()
        ctx = _context(env, session, spec, request, recipient)
        results = _sections(ctx, spec, lambda pct, stage: None)
        data = time.perf_counter()
        html = render.render_html(env.templates_dir, spec.template,
                                  _template_context(ctx, spec, recipient, results))
        templated = time.perf_counter()
        ours = render.html_to_pdf(html, env.templates_dir)
        done = time.perf_counter()
    alone = time.perf_counter()
    render.html_to_pdf(html, env.templates_dir)
    weasy = time.perf_counter() - alone
    return {"data": data - started, "html": templated - data, "pdf": done - templated,
            "total": done - started, "weasyprint": weasy, "pages": ours.pages}


def part_one(runtime, repeat: int) -> None:  # type: ignore[no-untyped-def]
    render.warm_up()
    print("\n1. one copy: data + template + PDF vs WeasyPrint alone on the same HTML "
          f"(median of {repeat}, after one warm-up run)")
    print(f"{'report':<16}{'pages':>6}{'data':>9}{'html':>8}{'pdf':>8}{'total':>9}"
          f"{'weasy':>9}{'ratio':>8}")
    for report, user, period in CASES:
        render_times(runtime, report, user, period)  # warm: fonts, images, caches
        runs = [render_times(runtime, report, user, period) for _ in range(repeat)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"{report:<16}{int(med['pages']):>6}{med['data'] * 1000:>7.0f}ms"
              f"{med['html'] * 1000:>6.0f}ms{med['pdf'] * 1000:>6.0f}ms"
              f"{med['total'] * 1000:>7.0f}ms{med['weasyprint'] * 1000:>7.0f}ms"
              f"{med['total'] / med['weasyprint']:>7.2f}x")


def drain(settings: Settings, redis_url: str, runtime, jobs: int, workers: int,  # type: ignore[no-untyped-def]
          tag: str) -> float:
    """Queue ``jobs`` copies, drain them with ``workers`` burst workers; seconds taken."""
    connection = Redis.from_url(redis_url)
    queue = Queue("default", connection=connection)
    with runtime.env.sessions() as session:
        users = [recipient_named(session, runtime.models, u).user_id
                 for u in ("sup1", "sup2", "admin")]
    for i in range(jobs):
        report, _, period = CASES[i % len(CASES)]
        uid = users[i % len(users)] if report != "finance_monthly" else None
        enqueue_render(queue, ReportRequest(report, uid, period=period, trigger="cli",
                                            run_key=f"bench:{tag}:{i}"))
    env = {**os.environ, "LEADLOOM_REDIS_URL": redis_url,
           "LEADLOOM_REPORTS_DIR": str(settings.reports_dir)}
    command = [sys.executable, "-m", "leadloom", "--config", str(CONFIG), "--database-url",
               settings.database_url, "worker", "--burst"]
    started = time.perf_counter()
    procs = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for _ in range(workers)]
    for proc in procs:
        proc.wait()
    seconds = time.perf_counter() - started
    failed = queue.failed_job_registry.count
    assert failed == 0 and queue.count == 0, f"{failed} failed, {queue.count} left"
    return seconds


def part_two(settings: Settings, runtime, redis_url: str, jobs: int) -> None:  # type: ignore[no-untyped-def]
    connection = Redis.from_url(redis_url)
    if connection.dbsize():
        print(f"\n2. skipped: {redis_url} is not empty")
        return
    try:
        one = drain(settings, redis_url, runtime, jobs, 1, "one")
        two = drain(settings, redis_url, runtime, jobs, 2, "two")
    finally:
        connection.flushdb()
    print(f"\n2. {jobs} report jobs on Redis, burst workers (incl. their start-up and "
          f"preload), {os.cpu_count()} CPUs")
    print(f"one worker : {one:6.1f} s  {jobs / one * 60:6.1f} reports/min")
    print(f"two workers: {two:6.1f} s  {jobs / two * 60:6.1f} reports/min   "
          f"speed-up {one / two:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--redis", default=os.environ.get("LEADLOOM_BENCH_REDIS_URL",
                                                          "redis://127.0.0.1:6379/14"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        settings, runtime = setup(Path(folder), args.leads)
        print(f"demo data: {args.leads} leads in {time.perf_counter() - started:.1f} s")
        part_one(runtime, args.repeat)
        part_two(settings, runtime, args.redis, args.jobs)


if __name__ == "__main__":
    main()
