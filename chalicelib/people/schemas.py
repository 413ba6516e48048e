"""Request bodies of the people routes."""

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
)

from chalicelib.text import CleanLine, check_characters

Role = Literal["admin", "manager", "employee"]
Locale = Literal["ru", "en"]


def _check_password(value: str) -> str:
    check_characters(value)
    return value


# Kept exactly as typed: the login route compares it unstripped, so stripping
# it here would lock out anyone whose password starts or ends with a space.
NewPassword = Annotated[
    str,
    StringConstraints(strip_whitespace=False, min_length=8, max_length=200),
    AfterValidator(_check_password),
]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    name: CleanLine = Field(min_length=1, max_length=120)
    position_id: str | None = Field(default=None, min_length=1, max_length=64)
    role: Role = "employee"
    locale: Locale = "ru"
    password: NewPassword | None = None


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: CleanLine | None = Field(default=None, min_length=1, max_length=120)
    position_id: str | None = Field(default=None, min_length=1, max_length=64)
    role: Role | None = None
    locale: Locale | None = None
    password: NewPassword | None = None
    # Needed when people change their own password, so that a stolen session
    # token alone cannot take over the account. Compared as typed.
    current_password: (
        Annotated[str, StringConstraints(strip_whitespace=False, max_length=200)] | None
    ) = None
