"""Road distances from an OSRM server's table API, against a small real HTTP server started here
that answers as OSRM does; a failing server leaves the plan on the straight line, logged and
counted."""

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from prometheus_client import REGISTRY

from transport.domain import MeasuredTravel, Place, StraightLineTravel, plan_day, violations
from transport.roads import OsrmRoads, StraightRoads, roads_of
from transport.settings import TransportSettings

from .builders import HERRGARDEN, LIMHAMN, ROSENGARD, RULES, THEATRE, TUESDAY, trip

ESTIMATE = StraightLineTravel(1.3, 40)
ROAD_FACTOR = 1.7  # the pretend roads wind more than the estimate's 1.3


class PretendOsrm(BaseHTTPRequestHandler):
    """Answers GET /table/v1/driving/lon,lat;lon,lat?annotations=distance,duration as OSRM does:
    distances the straight line x 1.7, at 10 m/s. `answer` on the server overrides it."""

    def do_GET(self) -> None:
        server: Any = self.server
        server.asked.append(self.path)
        path, _, query = self.path.partition("?")
        if server.answer is not None:
            status, body = server.answer
        elif not path.startswith("/table/v1/driving/") or parse_qs(query).get("annotations") != [
            "distance,duration"
        ]:
            status, body = 400, {"code": "InvalidUrl", "message": "not a table request"}
        else:
            places = [
                Place(float(lat), float(lon))
                for lon, lat in (pair.split(",") for pair in path.rsplit("/", 1)[1].split(";"))
            ]
            metres = [[ESTIMATE.metres(a, b) / 1.3 * ROAD_FACTOR for b in places] for a in places]
            body = {
                "code": "Ok",
                "distances": metres,
                "durations": [[m / 10 for m in row] for row in metres],
            }
            status = 200
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def osrm() -> Iterator[Any]:
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), PretendOsrm)
    server.asked, server.answer = [], None
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def failures() -> float:
    return REGISTRY.get_sample_value("kulturbro_osrm_failures_total") or 0.0


async def test_the_road_distances_come_from_the_osrm_table_and_plan_the_day(osrm: Any) -> None:
    places = [THEATRE, ROSENGARD, LIMHAMN]
    travel = await OsrmRoads(osrm.url).travel(places, ESTIMATE)
    assert isinstance(travel, MeasuredTravel)
    [asked] = osrm.asked
    assert asked.startswith("/table/v1/driving/13.003800,55.605000;13.043000,55.584000;")
    straight = ESTIMATE.matrix(places)
    measured = travel.matrix([LIMHAMN, THEATRE])
    expected = round(straight.metres[2][0] / 1.3 * ROAD_FACTOR)
    assert abs(measured.metres[0][1] - expected) <= 1
    assert abs(measured.seconds[0][1] - expected / 10) <= 1
    # A place the server was not asked about is estimated.
    mixed = travel.matrix([LIMHAMN, HERRGARDEN])
    assert mixed.metres[0][1] == ESTIMATE.matrix([LIMHAMN, HERRGARDEN]).metres[0][1]
    # The domain plans on the measured roads, and the checker agrees with the plan.
    trips = [trip(ROSENGARD), trip(LIMHAMN)]
    plan = plan_day(TUESDAY, trips, RULES, travel)
    assert plan.served() == {t.booking_id for t in trips}
    assert violations(plan, trips, TUESDAY, RULES, travel) == []
    assert plan.metres > plan_day(TUESDAY, trips, RULES, ESTIMATE).metres


@pytest.mark.parametrize(
    "answer",
    [
        (500, {"message": "down for maintenance"}),
        (200, {"code": "NoTable", "message": "no table here"}),
        (200, {"code": "Ok", "distances": [[0, None], [None, 0]], "durations": [[0, 1], [1, 0]]}),
        (200, {"code": "Ok", "distances": [[0]], "durations": [[0]]}),
    ],
)
async def test_an_osrm_failure_falls_back_to_the_straight_line_logged_and_counted(
    osrm: Any, answer: tuple[int, dict], caplog: pytest.LogCaptureFixture
) -> None:
    osrm.answer = answer
    before = failures()
    with caplog.at_level(logging.WARNING, logger="transport.roads"):
        travel = await OsrmRoads(osrm.url).travel([THEATRE, ROSENGARD], ESTIMATE)
    assert travel is ESTIMATE
    assert failures() == before + 1
    assert any("planning on the straight line" in r.getMessage() for r in caplog.records)


async def test_no_server_answering_at_all_falls_back_too() -> None:
    before = failures()
    roads = OsrmRoads("http://127.0.0.1:9", timeout_seconds=1)
    assert await roads.travel([THEATRE, ROSENGARD], ESTIMATE) is ESTIMATE
    assert failures() == before + 1


def test_osrm_is_asked_only_where_a_url_is_set() -> None:
    base = {
        "database_url": "postgresql://x@127.0.0.1/x",
        "kafka_bootstrap_servers": "x:9092",
        "kulturbro_env": "test",
    }
    assert isinstance(roads_of(TransportSettings(**base)), StraightRoads)
    assert isinstance(roads_of(TransportSettings(**base, osrm_url="")), StraightRoads)
    roads = roads_of(TransportSettings(**base, osrm_url="http://osrm:5000/"))
    assert isinstance(roads, OsrmRoads) and roads.url == "http://osrm:5000"
