"""`/metrics` under gunicorn with several workers: multiprocess mode answers the sum of every worker."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.plugins.servers import prepare_database, server_env

pytestmark = pytest.mark.slow

METRICS_TOKEN = "multiprocess-scrape-token-7Hk2"
REQUESTS = 60
CLIENTS = 6
TIMEOUT = 30


def post_typename(url: str) -> int:
    with requests.Session() as session:
        return session.post(f"{url}/graphql/", json={"query": "{ __typename }"}, timeout=TIMEOUT).status_code


def test_a_scrape_counts_the_requests_of_every_worker(instances: Any, tmp_path: Path) -> None:
    env = server_env(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        METRICS_TOKEN=METRICS_TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
    )
    prepare_database(env)
    [server] = instances(1, env=env, workers=2, threads=1)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(post_typename, [server.url] * REQUESTS))
    authorization = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    scraped = requests.get(f"{server.url}/metrics", headers=authorization, timeout=TIMEOUT)

    served = {
        sample.labels["status"]: sample.value
        for family in text_string_to_metric_families(scraped.text)
        for sample in family.samples
        if sample.name == "http_requests_total" and sample.labels["route"] == "graphql"
    }
    assert statuses == [200] * REQUESTS
    assert served == {"200": REQUESTS}
    assert len({path.name for path in (tmp_path / "prometheus").glob("counter_*.db")}) == 2  # one file per worker
