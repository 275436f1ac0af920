"""The roles of the people who keep figures, as Django groups: the permissions each needs, written once.

A role says what someone may do; their region grants (coverage.models.RegionGrant) say where (coverage.figures.access
applies both). ``manage.py operator`` gives roles; the groups also show in the admin, where a superuser may give
them too. Applying a role again brings its group's permissions back to this definition.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

READ_REFERENCE = [f"view_{model}" for model in ("region", "indicator", "source", "nationaltarget", "partnership")]

# Operators keep their regions' figures as drafts (add, change, delete, import), see their regions' unpublished
# figures, and may cite new sources.
OPERATOR = [
    *READ_REFERENCE,
    "view_measurement",
    "add_measurement",
    "change_measurement",
    "delete_measurement",
    "view_unpublished_measurement",
    "add_source",
    "change_source",
]

ROLES = {
    "operator": ("Operator wilayah", OPERATOR),
    # Publishers also verify and publish, and change or delete what is published.
    "publisher": ("Penerbit wilayah", [*OPERATOR, "publish_measurement"]),
}


def role_group(role: str) -> Group:
    """The group of ``role``, made or brought back to its permissions."""
    name, codenames = ROLES[role]
    group, _created = Group.objects.get_or_create(name=name)
    permissions = Permission.objects.filter(Q(content_type__app_label="coverage") & Q(codename__in=codenames))
    missing = set(codenames) - set(permissions.values_list("codename", flat=True))
    if missing:  # a role naming a permission the models no longer have is a bug here, not a silent gap
        raise LookupError(f"Role {role}: no permission {', '.join(sorted(missing))}.")
    group.permissions.set(permissions)
    return group
