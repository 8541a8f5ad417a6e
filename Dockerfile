# Mirrors exactly the install steps CI proves (see Makefile): the pinned requirements, then the package itself.
#   docker build -t mentordir .
#   docker run --rm -p 8000:8000 mentordir
#   docker run --rm -p 8000:8000 -e MENTORDIR_DATABASE_URL=postgresql+psycopg://user@db/mentordir -e MENTORDIR_FOLLOW=true mentordir
# In production also set MENTORDIR_BASE_URL=https://<public host> and MENTORDIR_TRUSTED_HOSTS=<public host>: the
# HEALTHCHECK below keeps passing (the health checks answer any host).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MENTORDIR_HOST=0.0.0.0 \
    MENTORDIR_PORT=8000 \
    MENTORDIR_WORKERS=2 \
    MENTORDIR_WATCH=false

WORKDIR /srv

# Dependencies first, in their own layer: it is rebuilt only when the lockfile changes.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt setuptools==84.2.1

COPY pyproject.toml README.md ./
COPY app app
COPY templates templates
COPY data data
RUN pip install --no-cache-dir --no-deps --no-build-isolation -e . \
    && useradd --system --uid 10001 --home-dir /srv mentordir \
    && mkdir -p /srv/var \
    && chown mentordir /srv/var

USER mentordir
# The catalog is built in: validated, loaded and indexed at build time, so a container starts warm.
RUN mentordir validate && mentordir load

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"
STOPSIGNAL SIGTERM
CMD ["mentordir", "serve"]
