"""The HTML of the web preview's own pages (not the emails, which are served as built)."""

from __future__ import annotations

from .serve import Snapshot, escape

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; background: #eceae4; color: #1d2b27; }
header { background: #1d2b27; color: #fff; padding: 12px 20px; }
header a { color: #fff; }
main { padding: 16px 20px; }
.error { background: #fde8e6; border: 1px solid #c0392b; color: #7b1d12; padding: 10px 14px; white-space: pre-wrap; }
.warning { color: #7a5a00; font-size: 13px; }
.inbox { background: #fff; border: 1px solid #d5d0c4; padding: 10px 14px; margin: 10px 0; max-width: 900px; }
.inbox .from { font-weight: bold; }
.inbox .subject { font-weight: bold; }
.inbox .preheader { color: #5b615e; }
.frames { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
.frame h2 { font-size: 14px; margin: 8px 0; }
iframe { border: 1px solid #c9c2b4; background: #fff; display: block; }
.desktop iframe { width: 680px; }
.phone iframe { width: 375px; }
pre.text { background: #fff; border: 1px solid #c9c2b4; padding: 12px; width: 82ch; white-space: pre; overflow-x: auto; }
nav ul { padding-left: 18px; }
"""

SCRIPT = """
(function () {
  var version = null;
  var source = new EventSource('/events');
  source.onmessage = function (event) {
    if (version === null) { version = event.data; return; }
    if (event.data !== version) { window.location.reload(); }
  };
  function fit(frame) {
    try {
      var doc = frame.contentDocument;
      if (doc && doc.documentElement) { frame.style.height = (doc.documentElement.scrollHeight + 4) + 'px'; }
    } catch (e) { /* not ours to measure */ }
  }
  document.querySelectorAll('iframe').forEach(function (frame) {
    frame.addEventListener('load', function () { fit(frame); });
    fit(frame);
  });
})();
"""


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
            f'<body><header><a href="/">rameau preview</a> · {escape(title)}</header><main>{body}</main>'
            f'<script src="/preview.js"></script></body></html>')


def _problems(snapshot: Snapshot) -> str:
    parts = []
    if snapshot.error:
        parts.append(f'<div class="error" id="build-error"><strong>The last build failed</strong>'
                     f'{" (showing the last good one)" if snapshot.result else ""}:\n{escape(snapshot.error)}</div>')
    if snapshot.result:
        parts += [f'<div class="warning">warning: {escape(str(w))}</div>' for w in snapshot.result.warnings]
    return "".join(parts)


def _inbox(rendered) -> str:
    issue = rendered.issue
    return (f'<div class="inbox"><div class="from">{escape(issue.newsletter.sender_name)}</div>'
            f'<span class="subject">{escape(issue.subject)}</span> — '
            f'<span class="preheader">{escape(issue.preheader)}</span></div>')


def index_page(snapshot: Snapshot) -> str:
    result = snapshot.result
    if not result:
        return _page("no edition", _problems(snapshot))
    items = "".join(
        f'<li><a href="/segment/{escape(r.issue.segment.id)}">{escape(r.issue.segment.title)}</a> '
        f'({len(r.issue.articles)} articles){_inbox(r)}</li>' for r in result.issues)
    empty = "".join(f"<li>{escape(s)}: no article, no email</li>" for s in result.manifest["empty_segments"])
    body = f'{_problems(snapshot)}<h1>Edition {escape(result.edition.id)}</h1><nav><ul id="segments">{items}{empty}</ul></nav>'
    return _page(f"Edition {result.edition.id}", body)


def segment_page(snapshot: Snapshot, segment_id: str, rendered) -> str:
    if rendered is None:
        return _page(segment_id, f"{_problems(snapshot)}<p>Segment {escape(segment_id)} has no email in this edition.</p>")
    base = f"/segment/{escape(segment_id)}"
    body = (f"{_problems(snapshot)}<h1>{escape(rendered.issue.segment.title)}</h1>{_inbox(rendered)}"
            f'<div class="frames">'
            f'<div class="frame desktop"><h2>Desktop</h2><iframe sandbox="allow-same-origin allow-popups" '
            f'title="Desktop" src="{base}/email.html" height="1600"></iframe></div>'
            f'<div class="frame phone"><h2>Phone (375 px)</h2><iframe sandbox="allow-same-origin allow-popups" '
            f'title="Phone" src="{base}/email.html" height="1600"></iframe></div>'
            f'<div class="frame"><h2>Text part</h2><pre class="text">{escape(rendered.text)}</pre></div></div>')
    return _page(rendered.issue.segment.title, body)
