from newsroom.site import site_name


def site(request):
    """The site's name, translated unless the operator fixed one in the environment."""
    return {"site_name": site_name()}
