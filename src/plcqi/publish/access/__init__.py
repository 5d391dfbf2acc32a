"""Who reads which report: users and roles (``users``, ``roles``), the nginx configuration
that enforces it (``nginx``, ``serve``) and each audience's index page (``indexes``).

Files, under ``DATA_DIR/access/``::

    users.json            users, roles, e-mail addresses, bcrypt hashes (mode 0600)
    nginx/htpasswd        name:hash for nginx's auth_basic_user_file
    nginx/roles.map       "name" "role"; for nginx's map from $remote_user
    nginx/serve.conf      plcqi serve's configuration; run/ and logs/ beside it
    indexes/<audience>.html   engineer, leadership, center-<CENTER_ID>
"""

from plcqi.publish.access.roles import AccessError, Role, parse_role
from plcqi.publish.access.users import User, add, known_centers, load, remove

__all__ = ["AccessError", "Role", "User", "add", "known_centers", "load", "parse_role",
           "remove"]
