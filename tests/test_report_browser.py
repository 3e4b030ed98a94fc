"""The motif report opened in a real headless browser (Debian's Chromium + ChromeDriver)."""

import shutil

import pytest
from conftest import motif_report

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="no headless Chromium (apt-get install chromium chromium-driver; .ci/run does)",
)


def test_report_renders_every_logo(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    out = motif_report(tmp_path)

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        browser.get((out / "index.html").as_uri())
        images = browser.execute_script(
            "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt]);"
        )
        rows = browser.execute_script("return document.querySelector('table').rows.length;")
        browser.save_screenshot(str(tmp_path / "report.png"))
    finally:
        browser.quit()
    distinct = (out / "clusters.tsv").read_text().splitlines()[1:]
    assert rows == 1 + len(distinct)  # the distinct motifs' table: header + one row per motif
    names = [alt for _, _, alt in images]
    for row in distinct:
        motif = row.split("\t")[1]
        assert {f"logo of {motif}", f"RC logo of {motif}"} <= set(names)
    assert sum(": logit " in alt for alt in names) == 4  # attributions along sequences
    assert all(complete and width > 0 for complete, width, _ in images), images
