"""Request bodies of the people routes."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from chalicelib.text import CleanLine

Role = Literal["admin", "manager", "employee"]
Locale = Literal["ru", "en"]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    name: CleanLine = Field(min_length=1, max_length=120)
    position_id: str | None = Field(default=None, min_length=1, max_length=64)
    role: Role = "employee"
    locale: Locale = "ru"
    password: str | None = Field(default=None, min_length=8, max_length=200)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: CleanLine | None = Field(default=None, min_length=1, max_length=120)
    position_id: str | None = Field(default=None, min_length=1, max_length=64)
    role: Role | None = None
    locale: Locale | None = None
    password: str | None = Field(default=None, min_length=8, max_length=200)
