"""Property-based fuzzing of the API against its own OpenAPI schema (schemathesis, in-process, bounded).

Every GET operation under /api/v1 (and the health checks) gets generated requests, valid and invalid; each
response must not be a 5xx and must match its documented status codes, content type and schema, and invalid
input must be rejected with a 4xx. About 1,200 requests in all. (schemathesis.pytest.from_fixture fails under
pytest 9, so the strategies are driven with Hypothesis directly.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from app.catalog.validate import load_catalog
from app.main import create_app
from tests.support.app import FIXTURE_CATALOG, make_settings
from tests.support.processes import load

OPERATIONS = r"^/(api/v1/|healthz$|readyz$)"
EXAMPLES = 100  # per operation and mode: 6 operations take parameters, x 2 modes: about 1,200 requests


def with_real_id(case: schemathesis.Case, program_id: str) -> schemathesis.Case:
    """The case aimed at a program that exists, so its 200 responses are checked too, not only 404s."""
    case.path_parameters = {**(case.path_parameters or {}), "program_id": program_id}
    return case


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "rejected"),
    [(GenerationMode.POSITIVE, False), (GenerationMode.NEGATIVE, False), (GenerationMode.POSITIVE, True)],
    ids=["positive", "negative", "positive-while-the-file-is-rejected"],
)
def test_no_server_errors_and_every_response_matches_the_schema(
    tmp_path: Path, mode: GenerationMode, rejected: bool
) -> None:
    settings_ = make_settings(tmp_path)
    if rejected:  # the database holds a good catalog; the file is now invalid, so it is served with its errors
        load(settings_.database_url, FIXTURE_CATALOG, tmp_path)
        invalid = tmp_path / "invalid.yaml"
        invalid.write_text(FIXTURE_CATALOG.read_text().replace("scope: national", "scope: nationwide", 1))
        settings_ = make_settings(tmp_path, catalog=invalid)
    app = create_app(settings_)
    # A config of its own: the repository's schemathesis.toml (for `st run`) makes include() match everything.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=SchemathesisConfig()).include(
        method="GET", path_regex=OPERATIONS
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 13  # every documented GET operation is fuzzed
    program_ids = [p.id for p in load_catalog(FIXTURE_CATALOG).programs]
    seen: list[str] = []
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not (len(operation.query) or len(operation.path_parameters)):
            continue  # nothing to get wrong: /healthz, /readyz, /vocabularies and /catalog take no parameters

        strategy = operation.as_strategy(generation_mode=mode)
        if mode is GenerationMode.POSITIVE and "{program_id}" in operation.path:
            strategy = st.one_of(strategy, st.builds(with_real_id, strategy, st.sampled_from(program_ids)))

        @given(case=strategy)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            response = case.call_and_validate()
            seen.append(f"{response.status_code} {case.operation.label}")

        run()
    if rejected:
        assert app.state.live.rejected is not None  # the whole run was made while the file was refused
    assert len(seen) >= 5 * 13
    if mode is GenerationMode.POSITIVE:  # valid requests reached real records, not only the 404 path
        assert {"200 GET /api/v1/programs/{program_id}", "200 GET /api/v1/programs/{program_id}/similar"} <= set(seen)
