"""The users table: one item per person, streamed to the membership reaction."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

ROLES = ("owner", "admin", "manager", "employee")
LOCALES = ("ru", "en")
ACTIVE = "active"
DEACTIVATED = "deactivated"

# Every user item carries this constant so that the directory index lists all
# people with one Query, sorted by name.
DIRECTORY = "USER"


class EmailIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "email-index"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)


class DirectoryIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "directory-index"
        projection = AllProjection()

    directory = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)


class PositionIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "position-index"
        projection = AllProjection()

    position_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)


class DepartmentIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "department-index"
        projection = AllProjection()

    department_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)


class User(Model):
    Meta = table_meta("users")

    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    locale = UnicodeAttribute(default="ru")
    status = UnicodeAttribute(default=ACTIVE)
    directory = UnicodeAttribute(default=DIRECTORY)
    position_id = UnicodeAttribute(null=True)
    department_id = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute(null=True)
    # Raised on deactivation and password change; tokens carry the version they
    # were issued under, so older tokens stop working at once.
    token_version = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    deactivated_at = UTCDateTimeAttribute(null=True)

    email_index = EmailIndex()
    directory_index = DirectoryIndex()
    position_index = PositionIndex()
    department_index = DepartmentIndex()

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE
