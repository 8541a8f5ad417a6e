"""The catalog file's shape: a small header (title, description, licence, citation) beside the list of programs."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.catalog.models import License, Program, Text


class CatalogHeader(BaseModel):
    """The file's fields beside its programs."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: Annotated[Text, StringConstraints(max_length=200)] | None = None
    description: Annotated[Text, StringConstraints(max_length=2000)] | None = None
    license: License | None = None
    citation: Annotated[Text, StringConstraints(max_length=1000)] | None = Field(
        None, description="How to cite the catalog (the service adds version and date)."
    )


class CatalogFile(CatalogHeader):
    """The whole file: a small header beside the list of programs."""

    # An empty list is refused: a truncated save must not empty the live directory and every synced copy.
    programs: Annotated[list[Program], Field(min_length=1)]
