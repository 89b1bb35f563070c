"""Picture every e-mail kind at phone width (360 px) into docs/emails/, and print sizes.

    make email-snapshots

Renders the samples of `bounceback_local.email_samples` (the real planner and
renderer on a made-up history), screenshots each HTML part in headless Chromium at
360 px, and prints each e-mail's HTML size. Ends with one JSON line of the sizes.
"""

from __future__ import annotations

import json
from pathlib import Path

from bounceback_local.email_check import chromium, layout_of, open_html, snapshot
from bounceback_local.email_samples import render_sample, samples

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "emails"
WIDTH = 360


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    sizes: dict[str, int] = {}
    with chromium() as browser:
        for sample in samples():
            rendered = render_sample(sample)
            size = len(rendered.html.encode())
            sizes[sample.name] = size
            with open_html(browser, rendered.html, WIDTH, scale=1) as page:
                layout = layout_of(page)
                snapshot(page, OUT / f"{sample.name}.png")
            print(
                f"{sample.name:24} {','.join(sample.email.kinds):28} {size:6} bytes  "
                f"scroll {layout.scroll_width}/{layout.client_width} px"
            )
    print(f"wrote {len(sizes)} pictures to {OUT.relative_to(ROOT)}/")
    print(json.dumps({"benchmark": "email_sizes", "html_bytes": sizes, "max": max(sizes.values())}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
