"""The live check of a profile says precisely what is wrong."""

from __future__ import annotations

import re

import pytest

from gmtui import config, session
from gmtui.api.errors import ConfigError
from gmtui.sandbox import BASE_URL, DEMO_API_KEY, DEMO_API_SECRET, Faults, in_process

from conftest import NOW


def profile(**kw) -> config.Profile:
    base = {"name": "p", "base_url": BASE_URL, "api_key": DEMO_API_KEY, "api_secret": DEMO_API_SECRET, "users": ["alice"]}
    return config.Profile(**{**base, **kw})


async def test_good_credentials_work(state):
    assert await session.check_profile(profile(), in_process(state), state.clock) == "works"


@pytest.mark.parametrize(("change", "message"), [
    ({"api_key": "nope"}, "does not accept this API key"),
    ({"api_secret": "wrong-secret"}, "API secret does not match this API key"),
    ({"users": ["ghost"]}, "does not know partner user 'ghost'"),
])
async def test_each_mistake_has_its_own_message(state, change, message):
    with pytest.raises(ConfigError, match=message):
        await session.check_profile(profile(**change), in_process(state), state.clock)


async def test_an_unreachable_host_is_named():
    with pytest.raises(ConfigError, match=r"cannot reach http://127\.0\.0\.1:9"):
        await session.check_profile(profile(base_url="http://127.0.0.1:9"))


async def test_a_skewed_clock_is_reported_and_corrected(clock):
    from gmtui.sandbox import Options, State

    state = State(Options(seed=7, today=NOW.date()), clock=clock, faults=Faults(clock_offset_s=45))
    remark = await session.check_profile(profile(), in_process(state), clock)
    assert re.search(r"clock is 4[56] s behind the server's", remark)  # Date has 1 s resolution
