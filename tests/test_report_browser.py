"""The stakeholder report in real headless Chromium (Debian's package, installed by `make test`): every
persona card and journey map visible, no console errors, no request leaving the file, A4 print; a
screenshot and the PDF are kept in reports/test-artifacts/."""

import json
import re
import shutil
from pathlib import Path

import matplotlib.image
import numpy as np

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "reports" / "test-artifacts"
# No network from the start: background services off and every connection sent to a closed local port.
OFFLINE = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run", "--disable-quic", "--proxy-server=http://127.0.0.1:9",
           "--proxy-bypass-list=<-loopback>"]


def test_report_opens_offline_in_chromium_with_every_card_and_journey(demo_study):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is not installed: `make test` installs Debian's `chromium` package"
    report = demo_study.processed / "report.html"
    personas = json.loads((demo_study.processed / "personas.json").read_text(encoding="utf-8"))["personas"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requests, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=OFFLINE)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        page.goto(report.as_uri(), wait_until="load")
        for persona in personas:
            assert page.locator(f"#{persona['id']}").is_visible(), persona["id"]
            assert page.locator(f"#{persona['id']}-cjm").is_visible(), f"{persona['id']} journey map"
        assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        assert page.locator("img").count() >= 2  # the comparison charts, inline
        height = page.evaluate("document.documentElement.scrollHeight")
        cards = [page.locator(f"#{persona['id']}").bounding_box() for persona in personas]
        charts = [page.locator("img").nth(i).bounding_box() for i in range(page.locator("img").count())]
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        # In print, the side-by-side page stands alone and every persona card starts a page of its own.
        page.emulate_media(media="print")
        breaks = page.evaluate("""() => ({
            cards: Array.from(document.querySelectorAll('article.persona'), a => getComputedStyle(a).breakBefore),
            sideBySide: getComputedStyle(document.querySelector('.side-by-side-page')).breakAfter,
            headings: Array.from(document.querySelectorAll('h2'), h => getComputedStyle(h).breakBefore)})""")
        page.pdf(path=str(ARTIFACTS / "report.pdf"), format="A4", print_background=True)
        browser.close()
    assert errors == []
    assert len(breaks["cards"]) == len(personas)
    # The first card follows its section heading, which starts the page; every later card starts one itself.
    assert breaks["cards"][0] in ("avoid", "page") and set(breaks["cards"][1:]) == {"page"}, breaks
    assert breaks["sideBySide"] == "page" and breaks["headings"][0] == "avoid", breaks
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    pdf = (ARTIFACTS / "report.pdf").read_bytes()
    sizes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf))
    assert sizes and all(abs(float(w) - 595.9) < 2 and abs(float(h) - 842.9) < 2 for w, h in sizes), sizes  # A4
    # The screenshot is the whole page, and every card and chart in it is drawn (not a blank box).
    shot = matplotlib.image.imread(ARTIFACTS / "report.png")[..., :3]
    assert shot.shape[:2] == (height, 1280), (shot.shape, height)
    for name, box in [*zip((p["id"] for p in personas), cards), *((f"chart {i}", b) for i, b in enumerate(charts))]:
        region = (255 * shot[int(box["y"]):int(box["y"] + box["height"]), int(box["x"]):int(box["x"] + box["width"])])
        colours, counts = np.unique(region.astype(np.uint8).reshape(-1, 3), axis=0, return_counts=True)
        ink = 1 - counts.max() / counts.sum()  # share of pixels not in the background colour
        assert ink > 0.05 and len(colours) > 50, f"{name}: {ink:.1%} of pixels drawn, {len(colours)} colours"
