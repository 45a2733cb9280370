from fangpin.core import roles


def role_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.role:
        return {}
    return {"role_spec": roles.spec(user.role), "role_label": roles.spec(user.role).label}
