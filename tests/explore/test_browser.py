"""The explorer in a real browser (headless Chromium through Selenium): actions fired by a click and
by a number key change the state table and the chart; back, forward, undo and restart; invariants'
verdicts; a gallery counterexample stepped through to its violation."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from checker.cli.commands.explore import session_for
from checker.explore.session import Session
from protocols.paxos import Paxos

ROOT = Path(__file__).resolve().parents[2]
GALLERY = ROOT / "counterexamples" / "paxos-phase2a-ignores-1b" / "trace.json"


class Page:
    """The explorer's page in the browser; each action waits until the page shows the new view."""

    def __init__(self, driver, url: str) -> None:
        self.driver = driver
        driver.get(url)
        WebDriverWait(driver, 10).until(lambda d: self.version() != "")

    def version(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").get_attribute("data-version") or ""

    def _then(self, act) -> None:
        before = self.version()
        act()
        WebDriverWait(self.driver, 10).until(lambda d: self.version() != before)

    def click(self, css: str) -> None:
        self._then(lambda: self.driver.find_element(By.CSS_SELECTOR, css).click())

    def key(self, key: str) -> None:
        self._then(lambda: self.driver.find_element(By.TAG_NAME, "body").send_keys(key))

    def fire(self, label: str) -> None:
        buttons = self.driver.find_elements(By.CSS_SELECTOR, "#actions button.action")
        button = next(b for b in buttons if label in b.text.splitlines()[0])
        self._then(button.click)

    @property
    def step(self) -> int:
        return int(self.driver.find_element(By.TAG_NAME, "body").get_attribute("data-step"))

    def cell(self, var: str, key: str | None = None) -> str:
        css = f'#state tr[data-var="{var}"]' + (f'[data-key="{key}"]' if key else "")
        return self.driver.find_element(By.CSS_SELECTOR, css + " td.value").text

    def changed(self) -> list[str]:
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#state tr.changed")
        return [r.get_attribute("data-var") + (f"[{r.get_attribute('data-key')}]" if r.get_attribute("data-key")
                                               else "") for r in rows]

    def verdict(self, prop: str) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, f'#properties tr[data-prop="{prop}"]').get_attribute(
            "data-verdict")

    def why(self, prop: str) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, f'#properties tr[data-prop="{prop}"] pre').get_attribute(
            "textContent")

    def chart(self) -> str:
        return self.driver.find_element(By.ID, "chart").get_attribute("innerHTML")


def test_clicks_and_keys_fire_actions_and_the_table_and_chart_follow(browser, explorer):
    page = Page(browser, explorer(Session(Paxos(ballots=2))).url)
    assert page.step == 0 and page.cell("msgs") == "{}" and page.changed() == []
    chart = page.chart()
    assert chart.startswith("<svg") and "phase1a" not in chart
    page.fire("phase1a(b=0)")  # a click
    assert page.step == 1 and page.changed() == ["msgs"] and page.cell("msgs") == "1a(bal=0)"
    assert "phase1a" in page.chart()
    buttons = browser.find_elements(By.CSS_SELECTOR, "#actions button.action")
    third = buttons[2].text.splitlines()[0]
    assert third == "3 phase1b(a=a1, m=1a(bal=0))"
    page.key("3")  # a number key
    assert page.step == 2 and sorted(page.changed()) == ["maxBal[a1]", "msgs"]
    assert page.cell("maxBal", "a1").split() == ["0", "was", "-1"]
    assert "phase1b" in page.chart()
    assert page.verdict("agreement") == "holds" and page.verdict("value_chosen") == "not reached"
    assert page.why("agreement").startswith("agreement is true in this state")


def test_back_forward_undo_restart(browser, explorer):
    page = Page(browser, explorer(Session(Paxos(ballots=2))).url)
    page.fire("phase1a(b=0)")
    page.fire("phase1b(a=a1, m=1a(bal=0))")
    after_two = page.cell("maxBal", "a1")
    page.click("#back")
    assert page.step == 1 and page.cell("maxBal", "a1") == "-1"
    assert browser.find_elements(By.CSS_SELECTOR, "#path li.future")  # the step ahead is kept
    page.key(Keys.ARROW_RIGHT)
    assert page.step == 2 and page.cell("maxBal", "a1") == after_two
    page.key(Keys.ARROW_LEFT)
    page.fire("phase1a(b=1)")  # a branch from step 1
    assert page.step == 2 and page.cell("maxBal", "a1") == "-1"
    page.click("#undo")  # the branch undone: back at step 1, the old step 2 ahead again
    assert page.step == 1
    page.click("#forward")
    assert page.step == 2 and page.cell("maxBal", "a1") == after_two
    page.key("r")
    assert page.step == 0 and browser.find_element(By.ID, "step").text == "step 0 of 0"
    page.key("u")
    assert page.step == 2


def test_a_gallery_counterexample_stepped_through_to_its_violation(browser, explorer):
    page = Page(browser, explorer(session_for(str(GALLERY), (), None)).url)
    banner = browser.find_element(By.ID, "banner").text
    assert "agreement violated after 12 steps" in banner
    assert page.step == 0 and page.verdict("agreement") == "holds"
    page.click('#path li[data-step="6"]')
    assert page.step == 6 and page.verdict("agreement") == "holds"
    for n in range(7, 13):
        page.key(Keys.ARROW_RIGHT)
        assert page.step == n
    assert page.verdict("agreement") == "violated"
    assert "chosen_at(b=0, v=v1)" in page.why("agreement")
    assert "agreement violated in the state after step 12" in page.chart()
    assert "last state" in browser.find_element(By.ID, "banner").text
    page.click("#restart")
    assert page.step == 0 and "leaves the trace" in browser.find_element(By.ID, "banner").text
    page.fire("phase1a(b=1)")  # the trace starts with phase1a(b=0)
    assert "has left the trace" in browser.find_element(By.ID, "banner").text
    page.key("l")
    assert page.step == 0 and browser.find_element(By.ID, "step").text == "step 0 of 12"
