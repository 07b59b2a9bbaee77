"""An open petition page asks for the count often enough to show a new confirmation within 5 seconds.

The count itself is fresh within about a second of a confirmation (the fold
is requested at once; `make bench` measures it); what the page adds is the
wait between two requests, which this test reads from the timers the page's
script sets, in a real browser, with the default settings.
"""

import pytest

from tests.factories import make_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every timer the page sets, with its delay; the clock itself is left alone.
RECORD_TIMERS = """
window.__countWaits = [];
const setTimer = window.setTimeout;
window.setTimeout = function (callback, delay, ...rest) {
  window.__countWaits.push(Number(delay) || 0);
  return setTimer.call(window, callback, delay, ...rest);
};
"""


def test_it_asks_for_the_count_at_most_three_seconds_apart_by_default(browser, live_server):
    campaign = make_campaign()
    context = browser.new_context()
    context.add_init_script(RECORD_TIMERS)
    page = context.new_page()
    answers = []
    page.on("response", lambda response: "/api/campaigns/" in response.url and answers.append(response.status))

    page.goto(live_server.url + campaign.get_absolute_url())
    interval = float(page.locator("[data-count-interval]").get_attribute("data-count-interval"))
    page.wait_for_event("response", predicate=lambda response: "/api/campaigns/" in response.url, timeout=30_000)
    page.wait_for_function("window.__countWaits.length >= 2")
    waits = page.evaluate("window.__countWaits")

    assert interval == 3
    # The first wait and the one after the answer: jitter only ever shortens them.
    assert len(waits) >= 2 and all(0.75 * interval * 1000 <= wait <= interval * 1000 for wait in waits[:2]), waits
    assert answers and answers[0] == 200
    context.close()
