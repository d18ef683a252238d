"""`{% fragment "name" var … versions="labels" timeout=86400 memo=True %}…{% endfragment %}`

Django's `{% cache %}`, with a key that also holds the language, the request's scheme and
host (pieces may hold absolute addresses), the release and the content versions named in
`versions` (an edit makes it unreachable at once), and never storing a piece that holds
an ad slot's marker or the response's CSP nonce ({% cache %} would serve them to every
reader). With `memo` the process keeps the piece too (no round trip).
"""

from django import template
from django.utils.translation import get_language

from newsroom.cache import DEFAULT_TIMEOUT, cached_value
from newsroom.pagecache import live_fragments_rendered, used_csp_nonce

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on, versions="", timeout=DEFAULT_TIMEOUT, memo=False):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on
        self.versions = [version for version in versions.split(",") if version]
        self.timeout, self.memo = timeout, memo

    def render(self, context):
        request = context.get("request")
        host = f"{request.scheme}://{request.get_host()}" if request is not None else ""
        live_before = live_fragments_rendered(request)

        def timeout():  # asked once rendered: kept only when the same for every response
            personal = live_fragments_rendered(request) != live_before or used_csp_nonce(request)
            return 0 if personal else self.timeout

        return cached_value(
            "fragment",
            [self.name, get_language(), host, *(var.resolve(context) for var in self.vary_on)],
            lambda: self.nodelist.render(context),
            versions=self.versions,
            timeout=timeout,
            memo=self.memo,
        )


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]!r} needs a fragment name.")
    options = {}  # literals, read once: no per-render work
    while len(bits) > 2 and bits[-1].partition("=")[0] in ("versions", "timeout", "memo"):
        option, _, value = bits.pop().partition("=")
        options[option] = template.Variable(value).resolve(template.Context())
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    vary_on = [parser.compile_filter(bit) for bit in bits[2:]]
    return FragmentNode(nodelist, bits[1].strip("\"'"), vary_on, **options)
