"""Ingest's HTTP client against a scripted transport: retries, Retry-After, the per-host pace,
the User-Agent, the size limit. (Against a real server: test_web_sources.py.)"""

from __future__ import annotations

import httpx
import pytest

from fiscalwatch.ingest.http import FetchError, Fetcher, TooLarge


class Script:
    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def fetcher(script: Script, slept: list[float], clock=lambda: 0.0, **options) -> Fetcher:
    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    return Fetcher(user_agent="Fiscalwatch/0.1 (+https://example.org)", transport=httpx.MockTransport(script),
                   sleep=sleep, clock=clock, **{"backoff_seconds": 1.0, "min_interval": 0.0, **options})


async def test_connect_errors_and_5xx_are_retried_with_exponential_backoff() -> None:
    script = Script(httpx.ConnectError("refused"), httpx.Response(503), httpx.Response(200, content=b"ok"))
    slept: list[float] = []
    got = await fetcher(script, slept).get("http://a.example/x")
    assert got.status == 200 and got.content == b"ok" and slept == [1.0, 2.0]
    assert all(r.headers["user-agent"].startswith("Fiscalwatch/0.1") for r in script.requests)


async def test_retry_after_is_honoured_and_a_long_one_waits_for_the_next_pass() -> None:
    slept: list[float] = []
    got = await fetcher(Script(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)), slept).get("http://a/")
    assert got.status == 200 and slept == [7.0]
    with pytest.raises(FetchError, match="come back in 3600"):
        await fetcher(Script(httpx.Response(503, headers={"Retry-After": "3600"})), []).get("http://a/")


async def test_giving_up_after_the_retries_and_other_statuses_are_answers() -> None:
    with pytest.raises(FetchError, match="HTTP 500 after 3 attempts"):
        await fetcher(Script(*[httpx.Response(500)] * 3), [], retries=2).get("http://a/")
    assert (await fetcher(Script(httpx.Response(404)), []).get("http://a/")).status == 404
    got = await fetcher(Script(httpx.Response(304)), []).get("http://a/", {"If-None-Match": '"x"'})
    assert got.not_modified and got.content == b""


async def test_requests_to_one_host_keep_their_distance() -> None:
    slept: list[float] = []
    f = fetcher(Script(*[httpx.Response(200)] * 3), slept, min_interval=2.0)
    for url in ("http://a/1", "http://a/2", "http://b/1"):
        await f.get(url)
    assert slept == [2.0]  # the clock stands still: the second request to `a` waits its turn, `b` does not


async def test_a_body_over_the_limit_is_not_read_to_the_end() -> None:
    with pytest.raises(TooLarge, match="over the 10-byte limit"):
        await fetcher(Script(httpx.Response(200, content=b"x" * 11)), [], max_bytes=10).get("http://a/")
