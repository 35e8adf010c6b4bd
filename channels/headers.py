"""The headers every response carries, whatever answered it: a page, a webhook, health, an error or a static file.

A report may be made on a shared or watched device, so nothing is cached, framed, sniffed
or sent on as a referrer, and no script runs but our own. The web form sets these on its
own pages; the app sets them on everything else without replacing what a blueprint chose
(the console's own policy, which lets its enrolment QR code be a data: image).
"""

from __future__ import annotations

from flask import Response

# No inline script or style anywhere, so the policy can forbid both.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"


def harden(response: Response, https: bool, *, keep: bool = False) -> Response:
    """Nothing cached, nothing framed, no inline script; with `keep`, a policy already set stays as it is."""
    # Never kept: even a stylesheet left in a shared device's cache says which landlord's form was opened.
    # (Flask marks its static files no-cache, which still stores them.)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    wanted = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if https:
        wanted["Strict-Transport-Security"] = HSTS
    for name, value in wanted.items():
        if keep:
            response.headers.setdefault(name, value)
        else:
            response.headers[name] = value
    return response
