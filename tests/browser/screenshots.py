"""Screenshots for reviewers: every public page and the main staff pages at a desktop and a phone width.

They go to SCREENSHOT_DIR (default test-artifacts/screenshots in the
repository, git-ignored); the run prints where at the end.
"""

import os
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "test-artifacts" / "screenshots")
WIDTHS = {"desktop": 1280, "phone": 375}

saved: list[Path] = []


def save_screenshot(page: Page, name: str) -> Path:
    """The whole page, named <name>-<width>.png."""
    # After a form is sent the heading can show before the pictures have arrived.
    page.wait_for_load_state("load")
    page.evaluate("() => Promise.all(Array.from(document.images).map(image => image.decode().catch(() => null)))")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}-{page.viewport_size['width']}.png"
    page.screenshot(path=path, full_page=True, animations="disabled")
    saved.append(path)
    return path
