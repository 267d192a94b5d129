"""The notebook widget in a real JupyterLab, by hand: a notebook, a headless Chromium, a screenshot to look at.

Too slow for the test suite (JupyterLab takes 30-60 s to start and render here), so it is a documented check:

    pip install -e '.[notebook,test]' jupyterlab
    jupyter lab --no-browser --port 8899 --ServerApp.ip=127.0.0.1 --IdentityProvider.token= --ServerApp.password= &
    python docs/notebook_frontend_check.py [FOLDER_JUPYTER_SERVES] [PNG]

It writes widget-check.ipynb into the served folder, opens it, runs the cells one by one (show; a drag in the
picture; Python turning the world; printing it back) and saves the screenshot (docs/notebook-widget.png).
It prints the world the widget's panel shows and the one Python printed: they must agree.
"""

import re
import sys
import time
from pathlib import Path

import nbformat
from playwright.sync_api import sync_playwright

from affine3d.web.browser import launch

FOLDER = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
PNG = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/notebook-widget.png")
URL = "http://127.0.0.1:8899/lab/tree/widget-check.ipynb?reset"  # ?reset: no tabs from an earlier session

CELLS = [
    "from affine3d import Affine\nfrom affine3d.notebook import show\nw = show('cube-to-sphere', size=(560, 380))\nw",
    "w.world = w.affine @ Affine.rotation_y(0.6)   # turn the world about its own origin: the picture follows",
    "print(w.affine)   # what a drag in the picture wrote back",
]


def run_cell(page, index: int) -> None:
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").nth(index)
    cell.wait_for(state="visible", timeout=120000)
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(f"""() => {{
        const prompt = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')[{index}].querySelector('.jp-InputPrompt');
        return prompt && /\\[\\d+\\]/.test(prompt.textContent);
    }}""", timeout=120000)


def main() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, FOLDER / "widget-check.ipynb")
    start = time.time()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(URL)
        page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=120000)
        run_cell(page, 0)
        canvas = page.locator(".affine3d-widget canvas")
        canvas.wait_for(timeout=120000)
        print(f"widget drawn {time.time() - start:.0f} s after opening JupyterLab")
        box = canvas.bounding_box()
        page.mouse.move(box["x"] + 200, box["y"] + 150)
        page.mouse.down()
        for k in range(1, 10):
            page.mouse.move(box["x"] + 200 + 15 * k, box["y"] + 150 + 6 * k)
        page.mouse.up()
        run_cell(page, 1)
        time.sleep(1)
        run_cell(page, 2)
        time.sleep(1)
        news = page.get_by_role("button", name="No", exact=True)  # JupyterLab's question about its news
        if news.count():
            news.first.click(timeout=5000)
        panel = page.locator(".affine3d-widget").inner_text()
        printed = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").nth(2).locator(".jp-OutputArea-output").inner_text()
        print("the widget's panel:\n" + panel)
        print("Python printed:\n" + printed)
        shown = [float(v) for v in re.findall(r"-?\d+\.\d+", panel.split("\n", 1)[1])[:12]]
        print("panel rows:", shown)
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.scroll_into_view_if_needed()
        page.screenshot(path=str(PNG))
        browser.close()


if __name__ == "__main__":
    main()
