"""Transform: the dbt project over the raw zone (``build``), and the copy of the raw zone into
the shared Postgres warehouse that its postgres target reads (``postgres``)."""
