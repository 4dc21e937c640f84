"""Suite-wide fixtures: a real PostgreSQL server, and the benchmark switch."""

import os

import pytest

from tests import pgserver

_pg: dict[str, str | None] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--bench", action="store_true", help="run the full benchmarks")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Benchmarks run with `make bench` (ARTUI_BENCH); files named test_bench_small*
    always run, so a tenfold regression fails CI."""
    if config.getoption("--bench") or os.environ.get("ARTUI_BENCH"):
        return
    skip = pytest.mark.skip(reason="benchmark: run with make bench")
    for item in items:
        path = str(item.fspath)
        if "/benchmarks/" in path and not os.path.basename(path).startswith("test_bench_small"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The test server's URL; a server is started for this process when none is given."""
    if "url" not in _pg:
        url = os.environ.get("ARTUI_TEST_PG")
        if url:
            _pg.update(url=url, data=None, reason="")
        else:
            url, info = pgserver.start()
            _pg.update(url=url, data=info if url else None, reason="" if url else info)
    if not _pg["url"]:
        pytest.skip(f"PostgreSQL: no server could be started: {_pg['reason']}")
    return _pg["url"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _pg.get("data"):
        pgserver.stop(_pg["data"])


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    if os.environ.get("ARTUI_TEST_PG"):
        terminalreporter.write_line(f"PostgreSQL tests ran against {os.environ['ARTUI_TEST_PG']}")
    elif _pg.get("reason"):
        terminalreporter.write_line(f"PostgreSQL tests SKIPPED: {_pg['reason']}")
    # figures a test reports (the load test's), carried from xdist workers in the reports
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get(
        "failed", []
    ):
        for key, value in getattr(report, "user_properties", []):
            if key == "figures" and report.when == "call":
                terminalreporter.write_line(value)
