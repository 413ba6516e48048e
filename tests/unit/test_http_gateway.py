"""The local HTTP gateway keeps each thread's request apart."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

from chalice import Chalice

from shtab_local.http_gateway import HttpGateway


def test_threads_see_their_own_request():
    app = Chalice(app_name="probe")

    @app.route("/echo/{name}")
    def echo(name):
        before = app.current_request.uri_params["name"]
        # Gives another thread time to start its own request meanwhile.
        time.sleep(0.05)
        after = app.current_request.uri_params["name"]
        return {"path": name, "before": before, "after": after}

    gateway = HttpGateway(app)

    def call(number: int) -> dict:
        result = gateway.handle("GET", f"/echo/n{number}", {}, None)
        return json.loads(result["body"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(call, range(32)))

    mixed = [a for a in answers if not a["path"] == a["before"] == a["after"]]
    assert mixed == []
