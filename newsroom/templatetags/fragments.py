"""`{% fragment "name" var … versions="labels" timeout=86400 memo=True %}…{% endfragment %}`:
a piece of a page cached as HTML.

Like Django's `{% cache %}`, but the key also holds the active language, the scheme and
host of the request (pieces may carry absolute addresses), the release and the content
versions named in `versions` (comma separated; see newsroom/cache.py), so an edit makes
the piece unreachable at once. List as arguments whatever else the piece shows, such as an
article's id and last change. With `memo`, each process also keeps the piece (for the
few pieces every page shows: no round trip). A piece that rendered a live fragment (an ad
slot) or used the CSP nonce is not kept: those differ on every response.

Why not Django's `{% cache %}`: it would store a piece holding an ad slot's marker or the
response's CSP nonce (served to every later reader), and it has no process memo; the rest
(versions, language, host) could be passed to it as arguments. This tag is
`newsroom.cache.cached_value` around a node list, so every cached value shares one path.
"""

from django import template
from django.utils.translation import get_language

from newsroom.cache import DEFAULT_TIMEOUT, cached_value
from newsroom.pagecache import live_fragments_rendered, used_csp_nonce

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on, versions, timeout, memo):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on
        self.versions = versions
        self.timeout = timeout
        self.memo = memo

    def render(self, context):
        request = context.get("request")
        origin = f"{request.scheme}://{request.get_host()}" if request is not None else ""
        live_before = live_fragments_rendered(request)
        timeout = int(self.timeout.resolve(context))

        def seconds():
            # Asked once the piece is rendered: kept only if it is the same for everyone.
            personal = live_fragments_rendered(request) != live_before or used_csp_nonce(request)
            return 0 if personal else timeout

        return cached_value(
            "fragment",
            [self.name, get_language(), origin, *(var.resolve(context) for var in self.vary_on)],
            lambda: self.nodelist.render(context),
            versions=[name for name in self.versions.resolve(context).split(",") if name],
            timeout=seconds,
            memo=self.memo.resolve(context),
        )


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]!r} needs a fragment name.")
    options = {"versions": '""', "timeout": str(DEFAULT_TIMEOUT), "memo": "False"}
    while len(bits) > 2 and bits[-1].split("=", 1)[0] in options:
        option, value = bits.pop().split("=", 1)
        options[option] = value
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        nodelist,
        bits[1].strip("\"'"),
        [parser.compile_filter(bit) for bit in bits[2:]],
        parser.compile_filter(options["versions"]),
        parser.compile_filter(options["timeout"]),
        parser.compile_filter(options["memo"]),
    )
