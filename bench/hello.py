"""The same stack's ceiling: a hello-world FastAPI app served by uvicorn exactly like the directory."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello() -> dict[str, str]:
    """The least work a route can do."""
    return {"hello": "world"}
