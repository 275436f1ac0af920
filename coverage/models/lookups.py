"""``field__any_of=values``: membership in a list of any length.

With server-side binding (DB_PREPARED_STATEMENTS) an ``IN (…)`` list takes one bind parameter per value, and
PostgreSQL's protocol allows 65,535 of them: an import naming every desa/kelurahan (83,762 codes) would fail.
On PostgreSQL this lookup sends the whole list as one array parameter (``= ANY(%s)``); elsewhere it is ``IN``.
"""

from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    lookup_name = "any_of"

    def get_prep_lookup(self):
        return [self.lhs.output_field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # foreign keys keep lookups of their own
