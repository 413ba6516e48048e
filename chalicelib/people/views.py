"""JSON shapes of people as the API returns them."""

from chalicelib.clock import iso
from chalicelib.people.models import User


def user_json(user: User) -> dict:
    return {
        "id": user.user_id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "locale": user.locale,
        "status": user.status,
        "position_id": user.position_id,
        "department_id": user.department_id,
        "created_at": iso(user.created_at),
        "deactivated_at": iso(user.deactivated_at) if user.deactivated_at else None,
    }
