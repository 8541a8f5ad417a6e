"""The same stack's ceiling: a hello-world FastAPI app served by uvicorn exactly like the directory."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello() -> dict[str, str]:
    """The least work a route can do."""
    return {"hello": "world"}


if __name__ == "__main__":  # served exactly as `mentordir serve` serves the directory
    import argparse

    import uvicorn

    from app.serving import run

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    run(uvicorn.Config("bench.hello:app", port=args.port, workers=args.workers, server_header=False))
