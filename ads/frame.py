"""The Content-Security-Policy of an HTML ad's frame (see views.frame).

Ad network tags load scripts, pictures and frames from hosts nobody can list in advance,
and use inline script: inside the frame that is allowed. What keeps the reader and the
site safe is the sandbox (an opaque origin: no access to the site's cookies, storage or
pages; no navigating the page) and `frame-ancestors 'self'` (only the site frames it).
The header is set by the view itself, so the site-wide policy never applies to it.
"""

AD_FRAME_POLICY = "; ".join(
    [
        "default-src * data: blob:",
        "script-src * data: blob: 'unsafe-inline' 'unsafe-eval'",
        "style-src * data: 'unsafe-inline'",
        "img-src * data: blob:",
        "frame-ancestors 'self'",
        "sandbox allow-scripts allow-popups allow-popups-to-escape-sandbox",
    ]
)
