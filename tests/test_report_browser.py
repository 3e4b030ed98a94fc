"""The motif report opened in a real headless browser (Debian's Chromium + ChromeDriver)."""

import shutil

import pytest
from conftest import train_one_epoch

from motifnet.cli import main
from motifnet.motifs import fetch_jaspar
from motifnet.motifs.meme import write_meme
from motifnet.simulate import SimulationConfig, simulate, write_simulation

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="no headless Chromium (apt-get install chromium chromium-driver; .ci/run does)",
)


def test_report_renders_every_logo(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    simulation = SimulationConfig(n=200, length=60, motifs=("SOX2",), seed=7)
    write_simulation(simulation, *simulate(simulation, progress=False), tmp_path / "data")
    checkpoint = train_one_epoch(
        {"pos": [str(tmp_path / "data" / "positive.fa")]},
        tmp_path / "run",
        arch="rc_cnn",
        filters=3,
    )
    database = tmp_path / "db.meme"
    write_meme(fetch_jaspar(["SOX2", "CTCF", "GATA1"]), database)
    out = tmp_path / "motifs"
    assert (
        main(
            [
                "motifs",
                str(checkpoint),
                str(tmp_path / "data" / "positive.fa"),
                "-o",
                str(out),
                "--motif-db",
                str(database),
            ]
        )
        == 0
    )

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
        rows = browser.execute_script("return document.querySelectorAll('table tr').length;")
        browser.save_screenshot(str(tmp_path / "report.png"))
    finally:
        browser.quit()
    assert rows == 1 + 3  # header + one row per motif
    assert len(images) == 6
    assert all(complete and width > 0 for complete, width, _ in images), images
